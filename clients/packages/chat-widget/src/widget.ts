import { styles, template } from "./template.js";

/** A signed-in user of the customer's site; `hash` is the site's hex HMAC-SHA256 of the lower-cased email (computed on its server). */
export interface CrmChatUser {
  email: string;
  name?: string;
  hash?: string;
}

/** Where the widget talks to and how it presents itself. */
export interface CrmChatOptions {
  /** The CRM host, e.g. `https://crm.example.com`. */
  endpoint: string;
  /** The launcher's and the panel's heading. Default "Chat with us". */
  title?: string;
  /** Seconds without an answer before the visitor is told the answer also comes by email. Default 120, at least 10. */
  offlineAfterSeconds?: number;
  /** A signed-in user: the widget does not ask for name and email, and the site's signature marks the chat verified. */
  user?: CrmChatUser | null;
  /** Where the widget's element goes. Default `document.body`. */
  container?: HTMLElement;
}

/** A message of the conversation, as the transcript and the event stream carry it. */
export interface CrmChatMessage {
  id: number;
  direction: "inbound" | "outbound";
  author?: string | null;
  text: string;
  sentAt: string;
  attachments?: Array<{ fileName?: string | null; contentType: string; size?: number | null; url?: string | null }>;
}

/** What the widget tells its page. */
export interface CrmChatEvents {
  /** A message joined the transcript (the visitor's own, or an agent's reply). */
  message: CrmChatMessage;
  /** How many agent replies arrived while the panel was closed (0 once it opens). */
  unread: number;
  /** The panel opened or closed. */
  toggle: boolean;
}

/** The widget on a page. */
export interface CrmChat {
  open(): void;
  close(): void;
  /** Signs a user in (or switches to another): their own conversation, name and email, and the site's signature. */
  identify(user: CrmChatUser, hash?: string): void;
  /** On sign-out: forgets the conversation stored in this browser and removes the widget. */
  shutdown(): void;
  /** Removes the widget from the page and stops listening, keeping the stored conversation (a page or component that goes away). */
  destroy(): void;
  /** Listens to an event; returns the function that stops listening. */
  on<K extends keyof CrmChatEvents>(event: K, handler: (value: CrmChatEvents[K]) => void): () => void;
  readonly unreadCount: number;
  readonly isOpen: boolean;
}

interface StoredState {
  name?: string;
  email?: string;
  conversationId?: string;
  visitorToken?: string;
  pending?: { id: string; text: string };
}

const instances = new Map<string, CrmChat>();

/**
 * Puts the chat widget on the page, once per endpoint: a second call for the same endpoint answers the widget already
 * there (a re-rendered component or a second script tag does not add a second launcher). Touches the DOM only when
 * called, never on import, so a server can import this module.
 */
export function loadCrmChat(options: CrmChatOptions): CrmChat {
  const endpoint = options.endpoint.replace(/\/+$/, "");
  const existing = instances.get(endpoint);
  if (existing) {
    if (options.user !== undefined && options.user !== null) {
      existing.identify(options.user, options.user.hash);
    }

    return existing;
  }

  const chat = createWidget(endpoint, options);
  instances.set(endpoint, chat);
  return chat;
}

function createWidget(endpoint: string, options: CrmChatOptions): CrmChat {
  const title = options.title || "Chat with us";
  const offlineAfter = Math.max(10, Number(options.offlineAfterSeconds) || 120) * 1000;
  let user: CrmChatUser | null = options.user?.email ? { ...options.user } : null;
  const storeKey = () => "crm-chat:" + endpoint + (user ? ":" + user.email.toLowerCase() : "");
  const load = (): StoredState => {
    try {
      return (JSON.parse(localStorage.getItem(storeKey()) ?? "null") as StoredState | null) ?? {};
    } catch {
      return {};
    }
  };
  const save = () => {
    try {
      localStorage.setItem(storeKey(), JSON.stringify(state));
    } catch {
      /* private mode */
    }
  };
  const newId = () => (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random().toString(16).slice(2));

  const host = document.createElement("div");
  host.setAttribute("data-crm-chat", "");
  const root = host.attachShadow({ mode: "open" });
  root.innerHTML = `<style>${styles}</style>${template}`;

  const $ = <T extends Element>(selector: string) => root.querySelector(selector) as T;
  const launcher = $<HTMLButtonElement>(".launcher"), panel = $<HTMLElement>(".panel"), form = $<HTMLFormElement>("form");
  const transcript = $<HTMLOListElement>(".transcript"), error = $<HTMLParagraphElement>(".error"), send = $<HTMLButtonElement>(".send");
  const who = $<HTMLDivElement>(".who"), note = $<HTMLParagraphElement>(".note");
  const field = <T extends HTMLElement>(name: string) => form.elements.namedItem(name) as T;
  const nameInput = field<HTMLInputElement>("name"), emailInput = field<HTMLInputElement>("email");
  const messageInput = field<HTMLTextAreaElement>("message"), fileInput = field<HTMLInputElement>("file");
  launcher.textContent = title;
  $<HTMLHeadingElement>("h2").textContent = title;
  let state = load();
  let messages: CrmChatMessage[] = [];
  let stream: EventSource | null = null, pollTimer: ReturnType<typeof setInterval> | undefined, noteTimer: ReturnType<typeof setTimeout> | undefined;
  let streamFailures = 0, unread = 0, removed = false;
  const listeners: { [K in keyof CrmChatEvents]: Set<(value: CrmChatEvents[K]) => void> } = { message: new Set(), unread: new Set(), toggle: new Set() };
  const emit = <K extends keyof CrmChatEvents>(event: K, value: CrmChatEvents[K]) => {
    for (const handler of listeners[event]) {
      try {
        handler(value);
      } catch {
        /* a page's handler never breaks the widget */
      }
    }
  };

  const conversationUrl = (path: string) => `${endpoint}/chat/conversations/${encodeURIComponent(state.conversationId ?? "")}/${path}`;
  const lastId = () => (messages.length ? messages[messages.length - 1]!.id : 0);

  function merge(incoming: CrmChatMessage[]) {
    const known = new Set(messages.map(m => m.id));
    const added = incoming.filter(m => !known.has(m.id));
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

      item.append(document.createTextNode(m.text)); // never innerHTML: messages are text
      for (const file of m.attachments || []) {
        if (!file.url) continue;
        // Signed, short-lived links on the chat server; the name is text, the picture an <img>, nothing runs.
        const link = document.createElement("a");
        link.className = "file";
        link.href = endpoint + file.url;
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
    who.hidden = Boolean(user || (state.conversationId && state.email));
    scheduleOfflineNote();
  }

  // Nobody answered in time: say where the answer will go instead of leaving the visitor waiting.
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

  async function fetchTranscript(): Promise<boolean> {
    const response = await fetch(conversationUrl("messages") + "?after=" + lastId(), { headers: { Authorization: "Bearer " + state.visitorToken } });
    if (response.status === 401 || response.status === 403) {
      reset();
      return false;
    }

    if (response.ok) merge((await response.json()) as CrmChatMessage[]);
    return response.ok;
  }

  function startLive() {
    stopLive();
    if (removed || !state.conversationId || !state.visitorToken) return;
    if (!("EventSource" in window) || streamFailures >= 3) {
      startPolling();
      return;
    }

    // EventSource cannot send headers: the token goes in the query, and the browser resumes with Last-Event-ID itself.
    const source = new EventSource(conversationUrl("events") + "?access_token=" + encodeURIComponent(state.visitorToken));
    stream = source;
    source.addEventListener("message", e => {
      streamFailures = 0;
      try {
        merge([JSON.parse((e as MessageEvent<string>).data) as CrmChatMessage]);
      } catch {
        /* ignore a torn event */
      }
    });
    source.addEventListener("error", () => {
      if (stream && stream.readyState === EventSource.CLOSED) {
        streamFailures++;
        stopLive();
        // Refused (token) or unreachable: check once by plain request, then stream again or poll.
        fetchTranscript().then(ok => { if (ok && state.conversationId) setTimeout(startLive, 3000); }).catch(() => setTimeout(startLive, 5000));
      }
    });
  }

  function startPolling() {
    pollTimer = setInterval(() => { fetchTranscript().catch(() => { /* offline: try again next tick */ }); }, 5000);
  }

  function stopLive() {
    if (stream) {
      stream.close();
      stream = null;
    }

    clearInterval(pollTimer);
    pollTimer = undefined;
  }

  function toggle(open: boolean) {
    panel.hidden = !open;
    launcher.setAttribute("aria-expanded", String(open));
    if (open) {
      (who.hidden ? messageInput : (emailInput.value ? messageInput : nameInput)).focus();
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
  $<HTMLButtonElement>(".close").addEventListener("click", () => toggle(false));
  panel.addEventListener("keydown", e => { if (e.key === "Escape") toggle(false); });
  messageInput.addEventListener("keydown", e => { if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) form.requestSubmit(); });

  form.addEventListener("submit", async e => {
    e.preventDefault();
    error.textContent = "";
    const message = messageInput.value.trim();
    const file = fileInput.files?.[0];
    const email = user ? user.email : emailInput.value.trim();
    const name = user ? user.name || "" : nameInput.value.trim();
    if (!message && !file) { error.textContent = "Write a message first."; messageInput.focus(); return; }
    if (!email) { who.hidden = false; error.textContent = "Tell us your email so we can answer."; emailInput.focus(); return; }
    if (!navigator.onLine) { error.textContent = "You appear to be offline. Your message is kept here; try again when you are back online."; return; }
    send.disabled = true;
    // One id per message, kept across retries of that message: the server stores it once.
    const pendingKey = message + (file ? "\u0000" + file.name + file.size : "");
    state.pending = state.pending && state.pending.text === pendingKey ? state.pending : { id: newId(), text: pendingKey };
    save();
    try {
      const fields: Record<string, string | undefined> = {
        name, email, message,
        conversationId: state.conversationId || undefined,
        clientMessageId: state.pending.id,
        identityHash: (user && user.hash) || undefined,
      };
      const headers: Record<string, string> = {};
      if (state.conversationId && state.visitorToken) headers.Authorization = "Bearer " + state.visitorToken;
      let body: BodyInit;
      if (file) {
        // The fields first, then the file: the server checks who is writing before it stores a byte of the file.
        const formData = new FormData();
        for (const [key, value] of Object.entries(fields)) if (value !== undefined) formData.append(key, value);
        formData.append("file", file, file.name);
        body = formData;
      } else {
        headers["Content-Type"] = "application/json";
        body = JSON.stringify(fields);
      }

      const response = await fetch(endpoint + "/tickets?channel=chat", { method: "POST", headers, body });
      if (response.ok) {
        const receipt = (await response.json()) as { conversationId?: string | null; visitorToken?: string | null; messageId: number };
        // A retried first message the server already had comes back without a token (only its holder gets it back):
        // the message is stored; this page goes on with the conversation it has.
        const newConversation = !!receipt.conversationId && receipt.conversationId !== state.conversationId;
        state = receipt.visitorToken && receipt.conversationId
          ? { name, email, conversationId: receipt.conversationId, visitorToken: receipt.visitorToken }
          : { ...state, name, email };
        if (newConversation) messages = [];
        save();
        messageInput.value = "";
        fileInput.value = "";
        // A file is shown as the server keeps it (with its link); plain text at once.
        if (file) await fetchTranscript();
        else merge([{ id: receipt.messageId, direction: "inbound", author: name, text: message, sentAt: new Date().toISOString() }]);
        if (newConversation || (!stream && !pollTimer)) startLive();
      } else if (response.status === 403 && state.conversationId && !user) {
        // The conversation is no longer ours (e.g. storage copied from another browser): start a new one.
        reset();
        error.textContent = "Your earlier conversation could not be continued. Send your message again to start a new one.";
      } else if (response.status === 413 || response.status === 415) {
        const problem = (await response.json().catch(() => ({}))) as { detail?: string };
        error.textContent = (problem.detail || "This file cannot be sent.") + " Choose a smaller picture, PDF or text file.";
      } else if (response.status === 429) {
        error.textContent = "You are sending messages too quickly. Please wait a minute and try again.";
      } else {
        const problem = (await response.json().catch(() => ({}))) as { detail?: string; errors?: Record<string, string[]> };
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
    if (state.conversationId && state.visitorToken) fetchTranscript().then(ok => { if (ok) startLive(); }).catch(() => startLive());
  }

  function remove() {
    removed = true;
    stopLive();
    clearTimeout(noteTimer);
    host.remove();
    instances.delete(endpoint);
  }

  start();
  (options.container || document.body || document.documentElement).append(host);

  return {
    open: () => toggle(true),
    close: () => { if (!panel.hidden) toggle(false); },
    identify(next, hash) {
      const signedIn: CrmChatUser = { ...next, hash: hash ?? next.hash ?? "" };
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
        /* private mode */
      }

      remove();
    },
    destroy: remove,
    on(event, handler) {
      listeners[event].add(handler);
      return () => { listeners[event].delete(handler); };
    },
    get unreadCount() { return unread; },
    get isOpen() { return !panel.hidden; },
  };
}
