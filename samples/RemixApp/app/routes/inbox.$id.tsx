import { useEffect, useRef } from "react";
import { data, Form, Link, useActionData, useLoaderData, useNavigation } from "react-router";
import type { Route } from "./+types/inbox.$id";
import { crmFor, problemOf } from "../server/crm.server";
import { requireRole, requireSameOrigin } from "../server/session.server";
import { can } from "../server/users.server";
import { useLive } from "../live";

export const meta: Route.MetaFunction = ({ data: loaded }) => [{ title: `${loaded?.ticket.subject ?? "Ticket"} · Crm.Libraries` }];

const statuses = ["open", "pending", "solved", "closed"] as const;

export async function loader({ request, params }: Route.LoaderArgs) {
  const user = await requireRole(request, can.readTickets);
  const id = Number(params.id);
  if (!Number.isSafeInteger(id) || id <= 0) throw new Response("There is no such ticket.", { status: 404 });
  try {
    return { ticket: await crmFor(user).tickets.get(id), canAnswer: can.answerTickets(user) };
  } catch (error) {
    const problem = problemOf(error);
    throw new Response(problem.message, { status: problem.status === 404 ? 404 : 502 });
  }
}

export async function action({ request, params }: Route.ActionArgs) {
  requireSameOrigin(request);
  const user = await requireRole(request, can.answerTickets);
  const id = Number(params.id);
  const form = await request.formData();
  const crm = crmFor(user);
  try {
    if (form.get("intent") === "status") {
      await crm.tickets.setStatus(id, String(form.get("status")) as (typeof statuses)[number]);
      return { ok: "Status saved.", error: null };
    }

    const files = form.getAll("files").filter((f): f is File => typeof f !== "string" && f.size > 0);
    await crm.tickets.reply(id, { text: String(form.get("text") ?? "").trim(), files });
    return { ok: "Reply queued.", error: null };
  } catch (error) {
    const problem = problemOf(error);
    return data({ ok: null, error: problem.message }, { status: problem.status >= 400 && problem.status < 500 ? problem.status : 502 });
  }
}

export default function Ticket() {
  const { ticket, canAnswer } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const replyForm = useRef<HTMLFormElement>(null);
  const sending = navigation.state === "submitting" && navigation.formData?.get("intent") === "reply";
  useLive(3000);
  useEffect(() => {
    if (result?.ok === "Reply queued.") replyForm.current?.reset();
  }, [result]);

  return (
    <>
      <p><Link to="/inbox">← Inbox</Link></p>
      <h1>{ticket.subject || "(no subject)"} <span className="muted">#{ticket.id}</span></h1>
      <p>
        <span className={`badge ${ticket.status}`} data-testid="ticket-status">{ticket.status}</span>{" "}
        {ticket.channel} · {ticket.contact?.name ?? ""} {ticket.contact?.email ?? ticket.contact?.phone ?? ""}
      </p>
      {ticket.hasOlderMessages && <p className="muted">Earlier messages are not shown.</p>}
      <ol className="messages" data-testid="ticket-messages">
        {ticket.messages.map(m => (
          <li key={m.id} className={`message ${m.direction}`} data-testid="ticket-message">
            <header>
              <span>
                {m.author ?? "unknown"} · {m.channel}
                {m.otherSender && <> <span className="badge unverified" data-testid="other-sender">from another address: {m.otherSender}</span></>}
                {m.deliveryStatus && <> <span className={`badge delivery-${m.deliveryStatus}`} data-testid="delivery-status">{m.deliveryStatus}</span></>}
              </span>
              <time dateTime={m.receivedAt}>{new Date(m.receivedAt).toLocaleString("en-GB", { timeZone: "UTC" })}</time>
            </header>
            <div className="text">{m.text}</div>
            {m.error && <p className="error" data-testid="delivery-error">{m.error}</p>}
            {m.attachments.length > 0 && (
              <ul className="attachments">
                {m.attachments.map((a, i) => <li key={i}>{a.fileName ?? "attachment"}{a.notKept ? ` (not kept: ${a.notKept})` : ""}</li>)}
              </ul>
            )}
          </li>
        ))}
      </ol>
      {canAnswer && (
        <section className="card reply">
          <h2>Answer on {ticket.channel}</h2>
          <Form method="post" encType="multipart/form-data" ref={replyForm}>
            <input type="hidden" name="intent" value="reply" />
            <label htmlFor="reply-text">Reply</label>
            <textarea id="reply-text" name="text" rows={5} maxLength={4096} data-testid="reply-text"
              onKeyDown={e => { if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) e.currentTarget.form?.requestSubmit(); }} />
            <label htmlFor="reply-files">Files</label>
            <input id="reply-files" name="files" type="file" multiple data-testid="reply-files" />
            {result?.error && <p className="error" role="alert" data-testid="reply-error">{result.error}</p>}
            <p><button className="btn" type="submit" disabled={sending} data-testid="reply-send">{sending ? "Sending…" : "Send"}</button></p>
          </Form>
          <Form method="post" className="inline-form">
            <input type="hidden" name="intent" value="status" />
            <label htmlFor="status">Status</label>
            <select id="status" name="status" defaultValue={ticket.status}>
              {statuses.map(s => <option key={s} value={s}>{s}</option>)}
            </select>
            <button className="btn secondary" type="submit">Save</button>
          </Form>
        </section>
      )}
    </>
  );
}
