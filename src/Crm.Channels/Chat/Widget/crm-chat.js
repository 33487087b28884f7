/*! Crm.Libraries chat widget (built from @crm-libraries/chat-widget; do not edit: run `npm run sync-widget` in clients/).
 * Embed with:
 *  <script src="https://crm.example.com/widget/crm-chat.js" data-endpoint="https://crm.example.com" async></script>
 * Optional: data-title, data-offline-after (seconds without an answer before the visitor is told the answer comes
 * by email; default 120), and for a signed-in user data-user-email, data-user-name, data-user-hash (the site's
 * hex HMAC-SHA256 of the lower-cased email). It posts to {endpoint}/tickets?channel=chat, keeps the conversation
 * and its visitor token in localStorage, restores the transcript from the server, and shows agents' replies live
 * (server-sent events, polling when the stream cannot connect). Styles live in a Shadow DOM: the host page's CSS
 * cannot reach in, and ours cannot leak out. Text only: nothing a message contains is ever parsed as HTML.
 * The page can drive it through window.CrmChat: open(), close(), identify(user, hash), shutdown(), on(event, handler). */
"use strict";
(() => {
  // src/template.ts
  var styles = `
:host { all: initial; }
* { box-sizing: border-box; font-family: "Avenir Next", "Futura", "Century Gothic", "Segoe UI", system-ui, sans-serif; }
.launcher { position: fixed; right: 20px; bottom: 20px; z-index: 2147483000; background: #14213d; color: #f7f4ee; border: 1px solid #b08d57;
  border-radius: 999px; padding: 12px 20px; font-size: 15px; cursor: pointer; box-shadow: 0 6px 18px rgba(20,33,61,.25); }
.launcher:hover { background: #24345a; }
.launcher:focus-visible, button:focus-visible, input:focus-visible, textarea:focus-visible { outline: 2px solid #7a5c2e; outline-offset: 2px; }
.panel { position: fixed; right: 20px; bottom: 80px; z-index: 2147483000; width: 340px; max-height: calc(100vh - 110px); display: flex;
  flex-direction: column; background: #f7f4ee; color: #1c2333; border: 1px solid #d9d1c3; border-top: 3px solid #b08d57; border-radius: 6px;
  box-shadow: 0 12px 32px rgba(20,33,61,.22); overflow: hidden; }
.panel[hidden] { display: none; }
.head { display: flex; justify-content: space-between; align-items: center; padding: 14px 16px; background: #14213d; color: #f7f4ee; }
h2 { margin: 0; font: 500 18px/1.2 "Playfair Display", Georgia, serif; }
.close { background: none; border: 0; color: #f7f4ee; font-size: 22px; line-height: 1; cursor: pointer; padding: 2px 6px; }
.transcript { list-style: none; margin: 0; padding: 12px 16px; overflow-y: auto; flex: 1; min-height: 60px; display: flex; flex-direction: column; gap: 8px; }
.transcript li { max-width: 85%; border-radius: 10px; padding: 8px 10px; font-size: 14px; white-space: pre-wrap; word-break: break-word; }
.transcript .inbound { align-self: flex-end; background: #fff; border: 1px solid #d9d1c3; border-bottom-right-radius: 2px; }
.transcript .outbound { align-self: flex-start; background: #14213d; color: #f7f4ee; border-bottom-left-radius: 2px; }
.transcript .author { display: block; font-size: 11px; letter-spacing: .06em; text-transform: uppercase; color: #d8c7a5; margin-bottom: 2px; }
.transcript .hint { align-self: stretch; max-width: none; color: #4b5563; font-size: 13px; padding: 0; }
.note { margin: 0 16px 8px; font-size: 13px; color: #4b5563; }
.note[hidden] { display: none; }
form { padding: 12px 16px 16px; border-top: 1px solid #d9d1c3; display: grid; gap: 8px; }
label { font-size: 11px; letter-spacing: .08em; text-transform: uppercase; color: #4b5563; }
input, textarea { width: 100%; font-size: 14px; padding: 8px 10px; border: 1px solid #8d8577; border-radius: 4px; background: #fff; color: #1c2333; }
textarea { min-height: 70px; resize: vertical; }
input[type=file] { padding: 4px; font-size: 13px; }
.transcript .file { display: block; margin-top: 4px; color: inherit; }
.transcript .file img { display: block; max-width: 100%; max-height: 160px; border-radius: 3px; margin-top: 4px; }
.send { background: #14213d; color: #fff; border: 0; border-radius: 4px; padding: 10px; font-size: 15px; cursor: pointer; }
.send[disabled] { opacity: .6; cursor: wait; }
.error { color: #9b2c2c; font-size: 13px; min-height: 1em; margin: 0; }
.who[hidden] { display: none; }
@media (max-width: 480px) { .panel { right: 0; left: 0; bottom: 0; width: 100%; max-height: 85vh; border-radius: 6px 6px 0 0; } .launcher { right: 12px; bottom: 12px; } }
`;
  var template = `
<button class="launcher" type="button" aria-expanded="false" aria-controls="crm-chat-panel" data-testid="crm-chat-open"></button>
<section class="panel" id="crm-chat-panel" role="dialog" aria-labelledby="crm-chat-title" hidden>
  <div class="head"><h2 id="crm-chat-title"></h2><button class="close" type="button" aria-label="Close chat">×</button></div>
  <ol class="transcript" aria-live="polite" data-testid="crm-chat-transcript"></ol>
  <p class="note" role="status" data-testid="crm-chat-note" hidden></p>
  <form novalidate>
    <div class="who">
      <label for="crm-chat-name">Name</label>
      <input id="crm-chat-name" name="name" autocomplete="name" maxlength="200" data-testid="crm-chat-name">
      <label for="crm-chat-email">Email</label>
      <input id="crm-chat-email" name="email" type="email" autocomplete="email" required data-testid="crm-chat-email">
    </div>
    <label for="crm-chat-message">Message</label>
    <textarea id="crm-chat-message" name="message" required maxlength="10000" data-testid="crm-chat-message"></textarea>
    <label for="crm-chat-file">Attach a picture, PDF or text file (optional)</label>
    <input id="crm-chat-file" name="file" type="file" accept="image/png,image/jpeg,image/gif,image/webp,application/pdf,text/plain" data-testid="crm-chat-file">
    <p class="error" role="alert" data-testid="crm-chat-error"></p>
    <button class="send" type="submit" data-testid="crm-chat-send">Send</button>
  </form>
</section>`;

  // src/widget.ts
  var instances = /* @__PURE__ */ new Map();
  function loadCrmChat(options) {
    const endpoint2 = options.endpoint.replace(/\/+$/, "");
    const existing = instances.get(endpoint2);
    if (existing) {
      if (options.user !== void 0 && options.user !== null) {
        existing.identify(options.user, options.user.hash);
      }
      return existing;
    }
    const chat = createWidget(endpoint2, options);
    instances.set(endpoint2, chat);
    return chat;
  }
  function createWidget(endpoint2, options) {
    const title = options.title || "Chat with us";
    const offlineAfter = Math.max(10, Number(options.offlineAfterSeconds) || 120) * 1e3;
    let user = options.user?.email ? { ...options.user } : null;
    const storeKey = () => "crm-chat:" + endpoint2 + (user ? ":" + user.email.toLowerCase() : "");
    const load = () => {
      try {
        return JSON.parse(localStorage.getItem(storeKey()) ?? "null") ?? {};
      } catch {
        return {};
      }
    };
    const save = () => {
      try {
        localStorage.setItem(storeKey(), JSON.stringify(state));
      } catch {
      }
    };
    const newId = () => crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random().toString(16).slice(2);
    const host = document.createElement("div");
    host.setAttribute("data-crm-chat", "");
    const root = host.attachShadow({ mode: "open" });
    root.innerHTML = `<style>${styles}</style>${template}`;
    const $ = (selector) => root.querySelector(selector);
    const launcher = $(".launcher"), panel = $(".panel"), form = $("form");
    const transcript = $(".transcript"), error = $(".error"), send = $(".send");
    const who = $(".who"), note = $(".note");
    const field = (name) => form.elements.namedItem(name);
    const nameInput = field("name"), emailInput = field("email");
    const messageInput = field("message"), fileInput = field("file");
    launcher.textContent = title;
    $("h2").textContent = title;
    let state = load();
    let messages = [];
    let stream = null, pollTimer, noteTimer;
    let streamFailures = 0, unread = 0, removed = false;
    const listeners = { message: /* @__PURE__ */ new Set(), unread: /* @__PURE__ */ new Set(), toggle: /* @__PURE__ */ new Set() };
    const emit = (event, value) => {
      for (const handler of listeners[event]) {
        try {
          handler(value);
        } catch {
        }
      }
    };
    const conversationUrl = (path) => `${endpoint2}/chat/conversations/${encodeURIComponent(state.conversationId ?? "")}/${path}`;
    const lastId = () => messages.length ? messages[messages.length - 1].id : 0;
    function merge(incoming) {
      const known = new Set(messages.map((m) => m.id));
      const added = incoming.filter((m) => !known.has(m.id));
      messages.push(...added);
      messages.sort((a, b) => a.id - b.id);
      render();
      for (const m of added) {
        emit("message", m);
        if (m.direction === "outbound" && panel.hidden) {
          unread++;
          emit("unread", unread);
        }
      }
    }
    function render() {
      transcript.textContent = "";
      if (messages.length === 0) {
        const hint = document.createElement("li");
        hint.className = "hint";
        hint.textContent = "Ask us anything — an agent answers here, or by email if you have left.";
        transcript.append(hint);
      }
      for (const m of messages) {
        const item = document.createElement("li");
        item.className = m.direction === "outbound" ? "outbound" : "inbound";
        if (m.direction === "outbound") {
          const author = document.createElement("span");
          author.className = "author";
          author.textContent = m.author || "Support";
          item.append(author);
        }
        item.append(document.createTextNode(m.text));
        for (const file of m.attachments || []) {
          if (!file.url) continue;
          const link = document.createElement("a");
          link.className = "file";
          link.href = endpoint2 + file.url;
          link.target = "_blank";
          link.rel = "noopener noreferrer";
          link.textContent = file.fileName || "file";
          if (/^image\/(png|jpeg|gif|webp)$/.test(file.contentType)) {
            const picture = document.createElement("img");
            picture.src = link.href;
            picture.alt = file.fileName || "picture";
            link.append(picture);
          }
          item.append(link);
        }
        transcript.append(item);
      }
      transcript.scrollTop = transcript.scrollHeight;
      nameInput.value = state.name || nameInput.value;
      emailInput.value = state.email || emailInput.value;
      who.hidden = Boolean(user || state.conversationId && state.email);
      scheduleOfflineNote();
    }
    function scheduleOfflineNote() {
      clearTimeout(noteTimer);
      note.hidden = true;
      const last = messages[messages.length - 1];
      if (!last || last.direction !== "inbound") return;
      const wait = offlineAfter - (Date.now() - Date.parse(last.sentAt));
      const show = () => {
        note.textContent = `Our team has not answered yet. You can close this page: the answer will also be sent to ${state.email || "your email address"}.`;
        note.hidden = false;
      };
      if (wait <= 0) show();
      else noteTimer = setTimeout(show, wait);
    }
    function reset() {
      stopLive();
      state = { name: state.name, email: state.email };
      messages = [];
      save();
      render();
    }
    async function fetchTranscript() {
      const response = await fetch(conversationUrl("messages") + "?after=" + lastId(), { headers: { Authorization: "Bearer " + state.visitorToken } });
      if (response.status === 401 || response.status === 403) {
        reset();
        return false;
      }
      if (response.ok) merge(await response.json());
      return response.ok;
    }
    function startLive() {
      stopLive();
      if (removed || !state.conversationId || !state.visitorToken) return;
      if (!("EventSource" in window) || streamFailures >= 3) {
        startPolling();
        return;
      }
      const source = new EventSource(conversationUrl("events") + "?access_token=" + encodeURIComponent(state.visitorToken));
      stream = source;
      source.addEventListener("message", (e) => {
        streamFailures = 0;
        try {
          merge([JSON.parse(e.data)]);
        } catch {
        }
      });
      source.addEventListener("error", () => {
        if (stream && stream.readyState === EventSource.CLOSED) {
          streamFailures++;
          stopLive();
          fetchTranscript().then((ok) => {
            if (ok && state.conversationId) setTimeout(startLive, 3e3);
          }).catch(() => setTimeout(startLive, 5e3));
        }
      });
    }
    function startPolling() {
      pollTimer = setInterval(() => {
        fetchTranscript().catch(() => {
        });
      }, 5e3);
    }
    function stopLive() {
      if (stream) {
        stream.close();
        stream = null;
      }
      clearInterval(pollTimer);
      pollTimer = void 0;
    }
    function toggle(open) {
      panel.hidden = !open;
      launcher.setAttribute("aria-expanded", String(open));
      if (open) {
        (who.hidden ? messageInput : emailInput.value ? messageInput : nameInput).focus();
        if (unread !== 0) {
          unread = 0;
          emit("unread", 0);
        }
      } else {
        launcher.focus();
      }
      emit("toggle", open);
    }
    launcher.addEventListener("click", () => toggle(panel.hidden));
    $(".close").addEventListener("click", () => toggle(false));
    panel.addEventListener("keydown", (e) => {
      if (e.key === "Escape") toggle(false);
    });
    messageInput.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) form.requestSubmit();
    });
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      error.textContent = "";
      const message = messageInput.value.trim();
      const file = fileInput.files?.[0];
      const email = user ? user.email : emailInput.value.trim();
      const name = user ? user.name || "" : nameInput.value.trim();
      if (!message && !file) {
        error.textContent = "Write a message first.";
        messageInput.focus();
        return;
      }
      if (!email) {
        who.hidden = false;
        error.textContent = "Tell us your email so we can answer.";
        emailInput.focus();
        return;
      }
      if (!navigator.onLine) {
        error.textContent = "You appear to be offline. Your message is kept here; try again when you are back online.";
        return;
      }
      send.disabled = true;
      const pendingKey = message + (file ? "\0" + file.name + file.size : "");
      state.pending = state.pending && state.pending.text === pendingKey ? state.pending : { id: newId(), text: pendingKey };
      save();
      try {
        const fields = {
          name,
          email,
          message,
          conversationId: state.conversationId || void 0,
          clientMessageId: state.pending.id,
          identityHash: user && user.hash || void 0
        };
        const headers = {};
        if (state.conversationId && state.visitorToken) headers.Authorization = "Bearer " + state.visitorToken;
        let body;
        if (file) {
          const formData = new FormData();
          for (const [key, value] of Object.entries(fields)) if (value !== void 0) formData.append(key, value);
          formData.append("file", file, file.name);
          body = formData;
        } else {
          headers["Content-Type"] = "application/json";
          body = JSON.stringify(fields);
        }
        const response = await fetch(endpoint2 + "/tickets?channel=chat", { method: "POST", headers, body });
        if (response.ok) {
          const receipt = await response.json();
          const newConversation = !!receipt.conversationId && receipt.conversationId !== state.conversationId;
          state = receipt.visitorToken && receipt.conversationId ? { name, email, conversationId: receipt.conversationId, visitorToken: receipt.visitorToken } : { ...state, name, email };
          if (newConversation) messages = [];
          save();
          messageInput.value = "";
          fileInput.value = "";
          if (file) await fetchTranscript();
          else merge([{ id: receipt.messageId, direction: "inbound", author: name, text: message, sentAt: (/* @__PURE__ */ new Date()).toISOString() }]);
          if (newConversation || !stream && !pollTimer) startLive();
        } else if (response.status === 403 && state.conversationId && !user) {
          reset();
          error.textContent = "Your earlier conversation could not be continued. Send your message again to start a new one.";
        } else if (response.status === 413 || response.status === 415) {
          const problem = await response.json().catch(() => ({}));
          error.textContent = (problem.detail || "This file cannot be sent.") + " Choose a smaller picture, PDF or text file.";
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
    function start() {
      render();
      if (state.conversationId && state.visitorToken) fetchTranscript().then((ok) => {
        if (ok) startLive();
      }).catch(() => startLive());
    }
    function remove() {
      removed = true;
      stopLive();
      clearTimeout(noteTimer);
      host.remove();
      instances.delete(endpoint2);
    }
    start();
    (options.container || document.body || document.documentElement).append(host);
    return {
      open: () => toggle(true),
      close: () => {
        if (!panel.hidden) toggle(false);
      },
      identify(next, hash) {
        const signedIn = { ...next, hash: hash ?? next.hash ?? "" };
        if (user && user.email.toLowerCase() === signedIn.email.toLowerCase() && user.hash === signedIn.hash) return;
        stopLive();
        user = signedIn;
        state = load();
        messages = [];
        start();
      },
      shutdown() {
        try {
          localStorage.removeItem(storeKey());
        } catch {
        }
        remove();
      },
      destroy: remove,
      on(event, handler) {
        listeners[event].add(handler);
        return () => {
          listeners[event].delete(handler);
        };
      },
      get unreadCount() {
        return unread;
      },
      get isOpen() {
        return !panel.hidden;
      }
    };
  }

  // src/script-tag.ts
  var script = document.currentScript;
  var data = script?.dataset ?? {};
  var endpoint = data.endpoint || (script ? new URL(script.src, location.href).origin : location.origin);
  window.CrmChat = loadCrmChat({
    endpoint,
    title: data.title,
    offlineAfterSeconds: data.offlineAfter ? Number(data.offlineAfter) : void 0,
    user: data.userEmail ? { email: data.userEmail, name: data.userName || "", hash: data.userHash || "" } : null
  });
})();
