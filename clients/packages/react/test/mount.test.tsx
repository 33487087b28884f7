// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from "vitest";
import { act, useState } from "react";
import { createRoot } from "react-dom/client";
import { CrmChatProvider, useCrmChat } from "../src/index.js";

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

function Probe() {
  const chat = useCrmChat();
  return <span data-testid="probe">{`ready:${chat.ready}`}</span>;
}

afterEach(() => {
  vi.unstubAllGlobals();
  localStorage.clear();
  document.body.innerHTML = "";
});

describe("in the browser", () => {
  it("loads the widget once however often it renders, and removes it (keeping the conversation) on unmount", async () => {
    vi.stubGlobal("fetch", async () => new Response("[]", { status: 200, headers: { "Content-Type": "application/json" } }));
    localStorage.setItem("crm-chat:http://crm.test", JSON.stringify({ email: "ann@example.com", conversationId: "c", visitorToken: "t" }));
    const container = document.createElement("div");
    document.body.append(container);
    const root = createRoot(container);
    let rerender: () => void = () => {};
    function App() {
      const [, setTick] = useState(0);
      rerender = () => setTick(t => t + 1);
      return <CrmChatProvider endpoint="http://crm.test" user={{ email: "x@example.com" }}><Probe /></CrmChatProvider>;
    }

    await act(async () => root.render(<App />));
    await vi.waitFor(() => expect(container.textContent).toBe("ready:true"));
    await act(async () => rerender());
    await act(async () => rerender());

    expect(document.querySelectorAll("[data-crm-chat]")).toHaveLength(1);
    await act(async () => root.unmount());
    expect(document.querySelector("[data-crm-chat]")).toBeNull();
    expect(localStorage.getItem("crm-chat:http://crm.test")).not.toBeNull();
  });
});
