import { Form, Link, useLoaderData } from "react-router";
import type { Route } from "./+types/inbox";
import { crmFor, problemOf } from "../server/crm.server";
import { requireRole } from "../server/session.server";
import { can } from "../server/users.server";
import { useLive } from "../live";

export const meta: Route.MetaFunction = () => [{ title: "Inbox · Crm.Libraries" }];

const channels = ["chat", "email", "whatsapp"] as const;
const statuses = ["open", "pending", "solved", "closed"] as const;

export async function loader({ request }: Route.LoaderArgs) {
  const user = await requireRole(request, can.readTickets);
  const url = new URL(request.url);
  const channel = url.searchParams.get("channel") || undefined;
  const status = (url.searchParams.get("status") || undefined) as (typeof statuses)[number] | undefined;
  const page = Math.max(1, Number(url.searchParams.get("page")) || 1);
  try {
    const tickets = await crmFor(user).tickets.list({ channel, status, page, pageSize: 50 });
    return { tickets, channel: channel ?? "", status: status ?? "", page, error: null };
  } catch (error) {
    return { tickets: null, channel: channel ?? "", status: status ?? "", page, error: problemOf(error).message };
  }
}

export default function Inbox() {
  const { tickets, channel, status, page, error } = useLoaderData<typeof loader>();
  useLive(3000);
  return (
    <>
      <h1>Inbox</h1>
      <Form method="get" className="filters" aria-label="Filter tickets">
        <label>Channel
          <select name="channel" defaultValue={channel} data-testid="filter-channel" onChange={e => e.currentTarget.form?.requestSubmit()}>
            <option value="">All</option>
            {channels.map(c => <option key={c} value={c}>{c}</option>)}
          </select>
        </label>
        <label>Status
          <select name="status" defaultValue={status} data-testid="filter-status" onChange={e => e.currentTarget.form?.requestSubmit()}>
            <option value="">All</option>
            {statuses.map(s => <option key={s} value={s}>{s}</option>)}
          </select>
        </label>
        <noscript><button className="btn secondary" type="submit">Filter</button></noscript>
      </Form>
      {error && <p className="error" role="alert">{error}</p>}
      <div className="table-wrap card">
        <table data-testid="ticket-list">
          <thead>
            <tr><th>#</th><th>Subject</th><th>Channel</th><th>Status</th><th>Updated</th></tr>
          </thead>
          <tbody>
            {tickets?.items.map(t => (
              <tr key={t.id} data-testid="ticket-row">
                <td className="num">{t.id}</td>
                <td><Link to={`/inbox/${t.id}`}>{t.subject || "(no subject)"}</Link></td>
                <td>{t.channel}</td>
                <td><span className={`badge ${t.status}`}>{t.status}</span></td>
                <td>{new Date(t.updatedAt).toLocaleString("en-GB", { timeZone: "UTC" })}</td>
              </tr>
            ))}
            {tickets && tickets.items.length === 0 && <tr><td colSpan={5} className="muted">No tickets.</td></tr>}
          </tbody>
        </table>
      </div>
      {tickets && tickets.total > page * tickets.pageSize && (
        <p><Link to={`?channel=${channel}&status=${status}&page=${page + 1}`}>Next page</Link></p>
      )}
    </>
  );
}
