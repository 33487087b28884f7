/*! Crm.Libraries chat widget. Embed with:
 *  <script src="https://crm.example.com/widget/crm-chat.js" data-endpoint="https://crm.example.com" async></script>
 * It posts to {endpoint}/tickets?channel=chat and keeps the conversationId in localStorage so follow-ups join the
 * same ticket. Styles live in a Shadow DOM: the host page's CSS cannot reach in, and ours cannot leak out. */
(() => {
  "use strict";
  const script = document.currentScript;
  const endpoint = ((script && script.dataset.endpoint) || (script && new URL(script.src, location.href).origin) || location.origin).replace(/\/+$/, "");
  const title = (script && script.dataset.title) || "Chat with us";
  const storeKey = "crm-chat:" + endpoint;
  const load = () => { try { return JSON.parse(localStorage.getItem(storeKey)) || {}; } catch { return {}; } };
  const save = state => { try { localStorage.setItem(storeKey, JSON.stringify(state)); } catch { /* private mode */ } };

  const host = document.createElement("div");
  host.setAttribute("data-crm-chat", "");
  const root = host.attachShadow({ mode: "open" });
  root.innerHTML = `
<style>
:host { all: initial; }
* { box-sizing: border-box; font-family: "Avenir Next", "Futura", "Century Gothic", "Segoe UI", system-ui, sans-serif; }
.launcher { position: fixed; right: 20px; bottom: 20px; z-index: 2147483000; background: #14213d; color: #f7f4ee; border: 1px solid #b08d57;
  border-radius: 999px; padding: 12px 20px; font-size: 15px; cursor: pointer; box-shadow: 0 6px 18px rgba(20,33,61,.25); }
.launcher:hover { background: #24345a; }
.launcher:focus-visible, button:focus-visible, input:focus-visible, textarea:focus-visible { outline: 2px solid #b08d57; outline-offset: 2px; }
.panel { position: fixed; right: 20px; bottom: 80px; z-index: 2147483000; width: 340px; max-height: calc(100vh - 110px); display: flex;
  flex-direction: column; background: #f7f4ee; color: #1c2333; border: 1px solid #e4ded3; border-top: 3px solid #b08d57; border-radius: 6px;
  box-shadow: 0 12px 32px rgba(20,33,61,.22); overflow: hidden; }
.panel[hidden] { display: none; }
header { display: flex; justify-content: space-between; align-items: center; padding: 14px 16px; background: #14213d; color: #f7f4ee; }
h2 { margin: 0; font: 500 18px/1.2 "Playfair Display", Georgia, serif; }
.close { background: none; border: 0; color: #f7f4ee; font-size: 22px; line-height: 1; cursor: pointer; padding: 2px 6px; }
.transcript { list-style: none; margin: 0; padding: 12px 16px; overflow-y: auto; flex: 1; min-height: 60px; display: flex; flex-direction: column; gap: 8px; }
.transcript li { align-self: flex-end; max-width: 85%; background: #fff; border: 1px solid #e4ded3; border-radius: 10px 10px 2px 10px; padding: 8px 10px;
  font-size: 14px; white-space: pre-wrap; word-break: break-word; }
.transcript .hint { align-self: stretch; background: none; border: 0; color: #6b7280; font-size: 13px; padding: 0; }
form { padding: 12px 16px 16px; border-top: 1px solid #e4ded3; display: grid; gap: 8px; }
label { font-size: 11px; letter-spacing: .08em; text-transform: uppercase; color: #6b7280; }
input, textarea { width: 100%; font-size: 14px; padding: 8px 10px; border: 1px solid #e4ded3; border-radius: 4px; background: #fff; color: #1c2333; }
textarea { min-height: 70px; resize: vertical; }
.send { background: #14213d; color: #fff; border: 0; border-radius: 4px; padding: 10px; font-size: 15px; cursor: pointer; }
.send[disabled] { opacity: .6; cursor: wait; }
.error { color: #9b2c2c; font-size: 13px; min-height: 1em; margin: 0; }
.who[hidden] { display: none; }
@media (max-width: 480px) { .panel { right: 0; left: 0; bottom: 0; width: 100%; max-height: 85vh; border-radius: 6px 6px 0 0; } .launcher { right: 12px; bottom: 12px; } }
</style>
<button class="launcher" type="button" aria-expanded="false" aria-controls="crm-chat-panel" data-testid="crm-chat-open">${title}</button>
<section class="panel" id="crm-chat-panel" role="dialog" aria-label="${title}" hidden>
  <header><h2>${title}</h2><button class="close" type="button" aria-label="Close chat">×</button></header>
  <ol class="transcript" aria-live="polite" data-testid="crm-chat-transcript"></ol>
  <form novalidate>
    <div class="who">
      <label for="crm-chat-name">Name</label>
      <input id="crm-chat-name" name="name" autocomplete="name" maxlength="200" data-testid="crm-chat-name">
      <label for="crm-chat-email">Email</label>
      <input id="crm-chat-email" name="email" type="email" autocomplete="email" required data-testid="crm-chat-email">
    </div>
    <label for="crm-chat-message">Message</label>
    <textarea id="crm-chat-message" name="message" required maxlength="10000" data-testid="crm-chat-message"></textarea>
    <p class="error" role="alert" data-testid="crm-chat-error"></p>
    <button class="send" type="submit" data-testid="crm-chat-send">Send</button>
  </form>
</section>`;

  const $ = selector => root.querySelector(selector);
  const launcher = $(".launcher"), panel = $(".panel"), form = $("form"), transcript = $(".transcript");
  const error = $(".error"), send = $(".send"), who = $(".who");
  let state = load();

  function render() {
    transcript.textContent = "";
    const sent = state.sent || [];
    if (sent.length === 0) {
      const hint = document.createElement("li");
      hint.className = "hint";
      hint.textContent = "Ask us anything — we answer by email.";
      transcript.append(hint);
    }
    for (const text of sent) {
      const item = document.createElement("li");
      item.textContent = text; // never innerHTML: the visitor's text is text
      transcript.append(item);
    }
    transcript.scrollTop = transcript.scrollHeight;
    form.name.value = state.name || form.name.value;
    form.email.value = state.email || form.email.value;
    who.hidden = Boolean(state.conversationId && state.email);
  }

  function toggle(open) {
    panel.hidden = !open;
    launcher.setAttribute("aria-expanded", String(open));
    if (open) (who.hidden ? form.message : (form.email.value ? form.message : form.name)).focus();
    else launcher.focus();
  }

  launcher.addEventListener("click", () => toggle(panel.hidden));
  $(".close").addEventListener("click", () => toggle(false));
  panel.addEventListener("keydown", e => { if (e.key === "Escape") toggle(false); });

  form.addEventListener("submit", async e => {
    e.preventDefault();
    error.textContent = "";
    const message = form.message.value.trim();
    const email = form.email.value.trim();
    if (!message) { error.textContent = "Write a message first."; form.message.focus(); return; }
    if (!email) { who.hidden = false; error.textContent = "Tell us your email so we can answer."; form.email.focus(); return; }
    if (!navigator.onLine) { error.textContent = "You appear to be offline. Your message is kept here; try again when you are back online."; return; }
    send.disabled = true;
    try {
      const response = await fetch(endpoint + "/tickets?channel=chat", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ name: form.name.value.trim(), email, message, conversationId: state.conversationId || undefined }),
      });
      if (response.ok) {
        const receipt = await response.json();
        state = { ...state, name: form.name.value.trim(), email, conversationId: receipt.conversationId, sent: [...(state.sent || []), message].slice(-50) };
        save(state);
        form.message.value = "";
        render();
      } else if (response.status === 429) {
        error.textContent = "You are sending messages too quickly. Please wait a minute and try again.";
      } else {
        const problem = await response.json().catch(() => ({}));
        const details = problem.errors ? Object.values(problem.errors).flat().join(" ") : problem.detail;
        error.textContent = details || "Your message could not be sent. Please try again.";
      }
    } catch {
      error.textContent = "We could not reach the server. Check your connection and try again.";
    } finally {
      send.disabled = false;
    }
  });

  render();
  (document.body || document.documentElement).append(host);
})();
