import { useEffect, useState } from "react";
import { data, Form, Link, redirect, useActionData, useFetcher, useLoaderData, useNavigation } from "react-router";
import type { Route } from "./+types/bulk-email";
import type { CreateCampaignRequest } from "@crm-libraries/client";
import { crmFor, problemOf } from "../server/crm.server";
import { requireRole, requireSameOrigin } from "../server/session.server";
import { can } from "../server/users.server";
import { useLive } from "../live";

export const meta: Route.MetaFunction = () => [{ title: "Bulk Email · Crm.Libraries" }];

const starter = "<h1>Hello {{ contact.name }}</h1>\n<p>Our news of the month.</p>";

export async function loader({ request }: Route.LoaderArgs) {
  const user = await requireRole(request, can.runCampaigns);
  const crm = crmFor(user);
  const [campaigns, tags] = await Promise.all([crm.campaigns.list({ pageSize: 50 }), crm.contacts.tags()]).catch(error => {
    throw new Response(problemOf(error).message, { status: 502 });
  });
  return { campaigns, tags };
}

function segmentOf(form: FormData): NonNullable<CreateCampaignRequest["segment"]> | null {
  const tags = form.getAll("tags").map(String);
  return form.get("audience") === "segment" && tags.length > 0 ? { tags } : null;
}

export async function action({ request }: Route.ActionArgs) {
  requireSameOrigin(request);
  const user = await requireRole(request, can.runCampaigns);
  const crm = crmFor(user);
  const form = await request.formData();
  const subject = String(form.get("subject") ?? ""), body = String(form.get("body") ?? "");
  try {
    switch (form.get("intent")) {
      case "count":
        return { intent: "count" as const, recipients: (await crm.campaigns.countRecipients(segmentOf(form))).recipients };
      case "preview":
        return { intent: "preview" as const, preview: await crm.campaigns.preview(subject, body) };
      case "test": {
        const to = String(form.get("testTo") ?? "");
        await crm.campaigns.sendTest(subject, body, to);
        return { intent: "test" as const, notice: `A test copy went to ${to}.` };
      }
      default: {
        const scheduledAt = String(form.get("scheduledAt") ?? "");
        const campaign = await crm.campaigns.create({
          subject, body, segment: segmentOf(form), scheduledAt: scheduledAt ? new Date(scheduledAt + "Z").toISOString() : null,
        });
        throw redirect(`/bulk-email/${campaign.id}`);
      }
    }
  } catch (error) {
    const problem = problemOf(error);
    return data({ intent: "error" as const, error: problem.message }, { status: problem.status >= 400 && problem.status < 500 ? problem.status : 502 });
  }
}

const percent = (value: number) => `${(value * 100).toFixed(1)} %`;

export default function BulkEmail() {
  const { campaigns, tags } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const counter = useFetcher<typeof action>();
  const previewer = useFetcher<typeof action>();
  const [subject, setSubject] = useState("Our news, {{ contact.name }}");
  const [body, setBody] = useState(starter);
  const [audience, setAudience] = useState("all");
  const [chosen, setChosen] = useState<string[]>([]);
  useLive(5000);

  // The recipient count and the preview follow the editor, a moment after typing stops.
  useEffect(() => {
    const timer = setTimeout(() => {
      const form = new FormData();
      form.set("intent", "count");
      form.set("audience", audience);
      chosen.forEach(t => form.append("tags", t));
      void counter.submit(form, { method: "post" });
    }, 300);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [audience, chosen.join("\n")]);
  useEffect(() => {
    const timer = setTimeout(() => void previewer.submit({ intent: "preview", subject, body }, { method: "post" }), 500);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [subject, body]);

  const recipients = counter.data?.intent === "count" ? counter.data.recipients : null;
  const preview = previewer.data?.intent === "preview" ? previewer.data.preview : null;
  const error = result?.intent === "error" ? result.error : null;

  return (
    <>
      <h1>Bulk Email</h1>
      <div className="grid">
        <section className="card">
          <h2>New campaign</h2>
          <Form method="post">
            <label htmlFor="subject">Subject</label>
            <input id="subject" name="subject" type="text" maxLength={998} required value={subject} onChange={e => setSubject(e.target.value)} data-testid="campaign-subject" />
            <label htmlFor="body">Body — HTML with Liquid: <code>{"{{ contact.name }}"}</code>, <code>{"{{ unsubscribe_url }}"}</code></label>
            <textarea id="body" name="body" required value={body} onChange={e => setBody(e.target.value)} data-testid="campaign-body" />
            <fieldset data-testid="campaign-segment" style={{ border: 0, padding: 0, margin: 0 }}>
              <legend><span className="muted">Recipients</span></legend>
              <div className="tags">
                <label><input type="radio" name="audience" value="all" checked={audience === "all"} onChange={() => setAudience("all")} data-testid="campaign-audience-all" /> All clients</label>
                <label><input type="radio" name="audience" value="segment" checked={audience === "segment"} onChange={() => setAudience("segment")} data-testid="campaign-audience-segment" /> Clients tagged…</label>
              </div>
              <div className="tags">
                {tags.map(t => (
                  <label key={t.tag}>
                    <input type="checkbox" name="tags" value={t.tag} checked={chosen.includes(t.tag)} data-testid="campaign-tag"
                      onChange={e => { setAudience("segment"); setChosen(e.target.checked ? [...chosen, t.tag] : chosen.filter(x => x !== t.tag)); }} /> {t.tag} <span className="muted">({t.contacts})</span>
                  </label>
                ))}
                {tags.length === 0 && <span className="muted">No tags yet: import contacts first.</span>}
              </div>
              <p>Recipients now: <span className="count" data-testid="campaign-recipient-count">{recipients ?? "…"}</span></p>
            </fieldset>
            <label htmlFor="scheduledAt">Send at (leave empty to send now; UTC)</label>
            <input id="scheduledAt" name="scheduledAt" type="datetime-local" data-testid="campaign-schedule" />
            <label htmlFor="testTo">Send a test to</label>
            <input id="testTo" name="testTo" type="email" data-testid="campaign-test-to" />
            {error && <p className="error" role="alert" data-testid="campaign-error">{error}</p>}
            {result?.intent === "test" && <p className="notice" role="status">{result.notice}</p>}
            <p className="actions">
              <button className="btn" type="submit" name="intent" value="send" disabled={navigation.state === "submitting"} data-testid="campaign-send">Send</button>{" "}
              <button className="btn secondary" type="submit" name="intent" value="test" formNoValidate data-testid="campaign-send-test">Send test</button>
            </p>
          </Form>
        </section>
        <section className="card">
          <h2>Preview</h2>
          <p className="muted" data-testid="campaign-preview-subject">{preview?.subject}</p>
          {/* Sandboxed: the preview's HTML runs nothing and reaches nothing of this page. */}
          <iframe className="preview" title="Preview of the campaign" sandbox="" srcDoc={preview?.html ?? ""} data-testid="campaign-preview" />
        </section>
      </div>
      <h2>Campaigns</h2>
      <div className="table-wrap card">
        <table data-testid="campaign-list">
          <thead>
            <tr>
              <th>Subject</th><th>Status</th><th className="num">Recipients</th><th className="num">Sent / failed</th><th className="num">Unique opens</th>
              <th className="num">Total opens</th><th className="num">Open rate</th><th className="num">Unsubscribes</th><th className="num">Clicks</th>
            </tr>
          </thead>
          <tbody>
            {campaigns.items.map(c => (
              <tr key={c.id} data-testid="campaign-row">
                <td><Link to={`/bulk-email/${c.id}`}>{c.subject}</Link></td>
                <td><span className={`badge ${c.status}`} data-testid="campaign-status">{c.status}</span></td>
                <td className="num">{c.recipients}</td>
                <td className="num">{c.sent} / {c.failed}</td>
                <td className="num" data-testid="campaign-opens">{c.openCount}</td>
                <td className="num" data-testid="campaign-total-opens">{c.totalOpens}</td>
                <td className="num">{percent(c.openRate)}</td>
                <td className="num" data-testid="campaign-unsubscribes">{c.unsubscribeCount}</td>
                <td className="num">{c.clickCount ?? 0}</td>
              </tr>
            ))}
            {campaigns.items.length === 0 && <tr><td colSpan={9} className="muted">No campaigns yet.</td></tr>}
          </tbody>
        </table>
      </div>
    </>
  );
}
