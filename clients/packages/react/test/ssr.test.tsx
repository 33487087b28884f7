// @vitest-environment node
import { describe, expect, it } from "vitest";
import { renderToString } from "react-dom/server";
import { CrmChat, CrmChatProvider, useCrmChat } from "../src/index.js";

function Probe() {
  const chat = useCrmChat();
  return <button type="button" onClick={chat.open}>{`ready:${chat.ready} unread:${chat.unread}`}</button>;
}

describe("server rendering", () => {
  it("renders without a window and without touching the widget", () => {
    expect(typeof window).toBe("undefined");

    const html = renderToString(
      <CrmChatProvider endpoint="http://crm.test" user={{ email: "ann@example.com", name: "Ann", hash: "00" }}>
        <Probe />
      </CrmChatProvider>);

    expect(html).toContain("ready:false unread:0");
    expect(renderToString(<CrmChat endpoint="http://crm.test" />)).toBe("");
  });
});
