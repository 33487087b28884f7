import { loadCrmChat, type CrmChat } from "./widget.js";

// The one-tag embed: reads the script tag's data-* attributes and puts the widget on the page; the page can drive it
// through window.CrmChat.
declare global {
  interface Window {
    CrmChat?: CrmChat;
  }
}

const script = document.currentScript as HTMLScriptElement | null;
const data = script?.dataset ?? {};
const endpoint = data.endpoint || (script ? new URL(script.src, location.href).origin : location.origin);
window.CrmChat = loadCrmChat({
  endpoint,
  title: data.title,
  offlineAfterSeconds: data.offlineAfter ? Number(data.offlineAfter) : undefined,
  user: data.userEmail ? { email: data.userEmail, name: data.userName || "", hash: data.userHash || "" } : null,
});
