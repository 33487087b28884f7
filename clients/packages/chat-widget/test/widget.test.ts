import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { loadCrmChat, type CrmChat } from "../src/index.js";

const endpoint = "http://crm.test";
const shadow = () => document.querySelector("[data-crm-chat]")?.shadowRoot ?? null;
const byTestId = <T extends Element>(id: string) => shadow()!.querySelector(`[data-testid="${id}"]`) as T;
const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

let chat: CrmChat | null = null;
let requests: Array<{ url: string; init?: RequestInit }> = [];

beforeEach(() => {
  localStorage.clear();
  requests = [];
});

afterEach(() => {
  chat?.destroy();
  chat = null;
  vi.unstubAllGlobals();
});

function stubFetch(answer: (url: string, init?: RequestInit) => Response) {
  vi.stubGlobal("fetch", async (url: string, init?: RequestInit) => {
    requests.push({ url, init });
    return answer(url, init);
  });
}

describe("loadCrmChat", () => {
  it("puts one widget on the page per endpoint, in a Shadow DOM with the stable test ids", () => {
    stubFetch(() => json([]));
    chat = loadCrmChat({ endpoint: endpoint + "/", title: "Ask us" });
    const again = loadCrmChat({ endpoint });

    expect(again).toBe(chat);
    expect(document.querySelectorAll("[data-crm-chat]")).toHaveLength(1);
    for (const id of ["crm-chat-open", "crm-chat-name", "crm-chat-email", "crm-chat-message", "crm-chat-send", "crm-chat-transcript"]) {
      expect(byTestId(id)).not.toBeNull();
    }

    expect(byTestId<HTMLButtonElement>("crm-chat-open").textContent).toBe("Ask us");
  });

  it("opens and closes on request and tells the page", () => {
    stubFetch(() => json([]));
    chat = loadCrmChat({ endpoint });
    const toggles: boolean[] = [];
    chat.on("toggle", open => toggles.push(open));

    chat.open();
    expect(chat.isOpen).toBe(true);
    chat.close();

    expect(chat.isOpen).toBe(false);
    expect(toggles).toEqual([true, false]);
  });

  it("sends a message as JSON with a client message id, keeps the conversation, and shows text as text", async () => {
    stubFetch(() => json({ id: 1, conversationId: "conv-1", visitorToken: "v1.token", messageId: 11, duplicate: false }, 201));
    chat = loadCrmChat({ endpoint });
    const messages: string[] = [];
    chat.on("message", m => messages.push(m.text));
    byTestId<HTMLInputElement>("crm-chat-email").value = "ann@example.com";
    byTestId<HTMLTextAreaElement>("crm-chat-message").value = "<img src=x onerror=alert(1)>";

    byTestId<HTMLButtonElement>("crm-chat-send").click();
    await vi.waitFor(() => expect(messages).toHaveLength(1));

    const sent = requests.find(r => r.url === `${endpoint}/tickets?channel=chat`)!;
    const body = JSON.parse(String(sent.init!.body)) as Record<string, string>;
    expect(body.email).toBe("ann@example.com");
    expect(body.clientMessageId).toMatch(/.{8,}/);
    expect(JSON.parse(localStorage.getItem(`crm-chat:${endpoint}`)!)).toMatchObject({ conversationId: "conv-1", visitorToken: "v1.token" });
    const transcript = byTestId<HTMLOListElement>("crm-chat-transcript");
    expect(transcript.querySelector("img")).toBeNull();
    expect(transcript.textContent).toContain("<img src=x onerror=alert(1)>");
  });

  it("counts agent replies that arrive while the panel is closed, and clears the count when it opens", async () => {
    localStorage.setItem(`crm-chat:${endpoint}`, JSON.stringify({ email: "ann@example.com", conversationId: "conv-2", visitorToken: "v1.t" }));
    stubFetch(() => json([{ id: 5, direction: "outbound", author: "Agent", text: "We are on it", sentAt: new Date().toISOString() }]));
    chat = loadCrmChat({ endpoint });
    const counts: number[] = [];
    chat.on("unread", n => counts.push(n));

    await vi.waitFor(() => expect(chat!.unreadCount).toBe(1));
    expect(requests[0]!.url).toBe(`${endpoint}/chat/conversations/conv-2/messages?after=0`);
    expect((requests[0]!.init!.headers as Record<string, string>).Authorization).toBe("Bearer v1.t");
    chat.open();

    expect(chat.unreadCount).toBe(0);
    expect(counts).toEqual([1, 0]);
  });

  it("keeps each signed-in user's conversation apart and forgets it on shutdown", () => {
    stubFetch(() => json([]));
    localStorage.setItem(`crm-chat:${endpoint}:bo@example.com`, JSON.stringify({ email: "bo@example.com", conversationId: "bo-conv", visitorToken: "t" }));
    chat = loadCrmChat({ endpoint });

    chat.identify({ email: "Bo@example.com", name: "Bo" }, "abc123");
    expect(byTestId<HTMLDivElement>("crm-chat-name").closest(".who")!.hasAttribute("hidden")).toBe(true);
    chat.shutdown();
    chat = null;

    expect(localStorage.getItem(`crm-chat:${endpoint}:bo@example.com`)).toBeNull();
    expect(document.querySelector("[data-crm-chat]")).toBeNull();
  });

  it("destroy removes the widget but keeps the stored conversation, and a new load finds it", () => {
    stubFetch(() => json([]));
    localStorage.setItem(`crm-chat:${endpoint}`, JSON.stringify({ email: "cy@example.com", conversationId: "cy-conv", visitorToken: "t" }));
    chat = loadCrmChat({ endpoint });
    chat.destroy();

    expect(document.querySelector("[data-crm-chat]")).toBeNull();
    expect(localStorage.getItem(`crm-chat:${endpoint}`)).not.toBeNull();
    chat = loadCrmChat({ endpoint });
    expect(document.querySelectorAll("[data-crm-chat]")).toHaveLength(1);
  });
});
