import { data, Form, Link, useActionData, useLoaderData } from "react-router";
import type { Route } from "./+types/bulk-email.$id";
import { crmFor, problemOf } from "../server/crm.server";
import { requireRole, requireSameOrigin } from "../server/session.server";
import { can } from "../server/users.server";
import { useLive } from "../live";

export const meta: Route.MetaFunction = ({ data: loaded }) => [{ title: `${loaded?.campaign.subject ?? "Campaign"} · Crm.Libraries` }];

export async function loader({ request, params }: Route.LoaderArgs) {
  const user = await requireRole(request, can.runCampaigns);
  const id = Number(params.id);
  if (!Number.isSafeInteger(id) || id <= 0) throw new Response("There is no such campaign.", { status: 404 });
  try {
    return { campaign: await crmFor(user).campaigns.get(id) };
  } catch (error) {
    const problem = problemOf(error);
    throw new Response(problem.message, { status: problem.status === 404 ? 404 : 502 });
  }
}

export async function action({ request, params }: Route.ActionArgs) {
  requireSameOrigin(request);
  const user = await requireRole(request, can.runCampaigns);
  const id = Number(params.id);
  const crm = crmFor(user);
  const intent = String((await request.formData()).get("intent"));
  try {
    if (intent === "pause") await crm.campaigns.pause(id);
    else if (intent === "resume") await crm.campaigns.resume(id);
    else if (intent === "cancel") await crm.campaigns.cancel(id);
    return { error: null };
  } catch (error) {
    const problem = problemOf(error);
    return data({ error: problem.message }, { status: problem.status >= 400 && problem.status < 500 ? problem.status : 502 });
  }
}

const percent = (value: number) => `${(value * 100).toFixed(1)} %`;

export default function Campaign() {
  const { campaign: c } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const live = c.status === "sending" || c.status === "scheduled" || (c.inFlight ?? 0) > 0;
  useLive(1000, live);
  const done = c.sent + c.failed + c.skipped;
  const progress = c.recipients > 0 ? Math.min(1, done / c.recipients) : c.status === "completed" ? 1 : 0;

  return (
    <>
      <p><Link to="/bulk-email">← Bulk Email</Link></p>
      <h1>{c.subject}</h1>
      <p><span className={`badge ${c.status}`} data-testid="campaign-status">{c.status}</span>{c.pauseReason && <span className="muted"> — {c.pauseReason}</span>}</p>
      {c.lastError && <p className="muted" data-testid="campaign-last-error">Last error{c.lastErrorAt && <> (<time dateTime={c.lastErrorAt}>{new Date(c.lastErrorAt).toLocaleString()}</time>)</>}: {c.lastError}{c.deferred ? ` · ${c.deferred} waiting for a retry` : ""}</p>}
      <div className="progress" role="progressbar" aria-label="Sent" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(progress * 100)} data-testid="campaign-progress">
        <div style={{ width: `${progress * 100}%` }} />
      </div>
      <div className="stats">
        <div className="stat"><b data-testid="stat-recipients">{c.recipients}</b><span>Recipients</span></div>
        <div className="stat"><b data-testid="stat-sent">{c.sent}</b><span>Sent</span></div>
        <div className="stat"><b>{c.failed}</b><span>Failed</span></div>
        <div className="stat"><b data-testid="stat-unique-opens">{c.openCount}</b><span>Unique opens</span></div>
        <div className="stat"><b data-testid="stat-total-opens">{c.totalOpens}</b><span>Total opens</span></div>
        <div className="stat"><b>{percent(c.openRate)}</b><span>Open rate</span></div>
        <div className="stat"><b data-testid="stat-unsubscribes">{c.unsubscribeCount}</b><span>Unsubscribes</span></div>
        <div className="stat"><b>{c.clickCount}</b><span>Unique clicks</span></div>
        <div className="stat"><b>{c.machineOpens}</b><span>Machine opens</span></div>
      </div>
      {result?.error && <p className="error" role="alert">{result.error}</p>}
      <Form method="post" className="actions">
        {c.status === "sending" && <button className="btn secondary" type="submit" name="intent" value="pause" data-testid="campaign-pause">Pause</button>}
        {c.status === "paused" && <button className="btn" type="submit" name="intent" value="resume" data-testid="campaign-resume">Resume</button>}
        {(c.status === "sending" || c.status === "paused" || c.status === "scheduled") && (
          <button className="btn secondary" type="submit" name="intent" value="cancel" data-testid="campaign-cancel">Cancel</button>
        )}
      </Form>
      {c.links && c.links.length > 0 && (
        <>
          <h2>Links</h2>
          <table>
            <thead><tr><th>Link</th><th className="num">Unique clicks</th><th className="num">Clicks</th></tr></thead>
            <tbody>{c.links.map(l => <tr key={l.url}><td>{l.url}</td><td className="num">{l.uniqueClicks}</td><td className="num">{l.totalClicks}</td></tr>)}</tbody>
          </table>
        </>
      )}
    </>
  );
}
