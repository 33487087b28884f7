import { describe, expect, expectTypeOf, it } from "vitest";
import { createCrmClient, CrmApiError, type Campaign, type TicketDetails } from "../src/index.js";

/** A fetch that records each request and answers from a script. */
function scriptedFetch(answer: (request: Request) => Response) {
  const requests: Request[] = [];
  const fetch = async (request: Request) => {
    requests.push(request.clone());
    return answer(request);
  };
  return { fetch, requests };
}

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

describe("createCrmClient", () => {
  it("sends the API key and reads a typed ticket, paged", async () => {
    const ticket: TicketDetails = {
      id: 7, channel: "chat", status: "open", subject: "Parcel", contact: null, createdAt: "2026-12-01T10:00:00Z", updatedAt: "2026-12-01T10:00:00Z",
      messages: [], hasOlderMessages: false,
    };
    const { fetch, requests } = scriptedFetch(() => json(ticket));
    const client = createCrmClient({ baseUrl: "http://crm.test/", apiKey: "agent-key", fetch });

    const read = await client.tickets.get(7, { limit: 50 });

    expect(read.id).toBe(7);
    expect(requests[0]!.url).toBe("http://crm.test/tickets/7?limit=50");
    expect(requests[0]!.headers.get("X-Api-Key")).toBe("agent-key");
  });

  it("posts a campaign as JSON and throws the server's problem details on a refusal", async () => {
    const { fetch, requests } = scriptedFetch(() => json({ title: "One or more validation errors occurred.", status: 400, errors: { subject: ["The subject is required."] } }, 400));
    const client = createCrmClient({ baseUrl: "http://crm.test", apiKey: "marketing-key", fetch });

    const refused = await client.campaigns.create({ subject: "", body: "<p>Hi</p>" }).catch((e: unknown) => e);

    expect(refused).toBeInstanceOf(CrmApiError);
    expect((refused as CrmApiError).status).toBe(400);
    expect((refused as CrmApiError).message).toBe("The subject is required.");
    expect(requests[0]!.method).toBe("POST");
    expect(await requests[0]!.json()).toEqual({ subject: "", body: "<p>Hi</p>" });
  });

  it("sends a reply with files as multipart form data", async () => {
    const { fetch, requests } = scriptedFetch(() => json({ id: 3, direction: "outbound", deliveryStatus: "queued" }, 202));
    const client = createCrmClient({ baseUrl: "http://crm.test", apiKey: "agent-key", fetch });

    await client.tickets.reply(7, { text: "The guide", files: [new File(["%PDF-1.4"], "guide.pdf", { type: "application/pdf" })] });

    const form = await requests[0]!.formData();
    expect(form.get("text")).toBe("The guide");
    expect((form.get("files") as File).name).toBe("guide.pdf");
  });

  it("types nullable fields as T | null, and statuses as strings (the contract has no enums to mistype)", () => {
    expectTypeOf<Campaign["scheduledAt"]>().toEqualTypeOf<string | null>();
    expectTypeOf<Campaign["status"]>().toEqualTypeOf<string>();
    expectTypeOf<TicketDetails["messages"][number]["deliveryStatus"]>().toEqualTypeOf<string | null>();
    expectTypeOf<Campaign["openRate"]>().toEqualTypeOf<number>();
  });

  it("types campaign stats in camelCase, as numbers", () => {
    // A compile-time check as much as a runtime one: the generated types must say number, not number | string.
    const stats: Pick<Campaign, "openCount" | "totalOpens" | "unsubscribeCount" | "recipients"> = { openCount: 1, totalOpens: 2, unsubscribeCount: 0, recipients: 3 };
    const sum: number = stats.openCount + stats.totalOpens + stats.unsubscribeCount + stats.recipients;
    expect(sum).toBe(6);
  });
});
