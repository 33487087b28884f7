// The ticket page's reply box: sends through the API; site.js keeps the messages and status current.
(() => {
  const form = document.getElementById("reply-form");
  if (!form) return;
  const error = form.querySelector("[data-testid=reply-error]");
  const button = form.querySelector("[data-testid=reply-send]");
  const token = () => document.querySelector("meta[name=request-verification-token]")?.content ?? "";

  function applyWindow() {
    // Outside WhatsApp's window only a template can go: free text is disabled, not silently refused later.
    const open = form.dataset.windowOpen !== "false";
    form.text.placeholder = open ? "" : "Free text is closed: name a template below";
    form.text.disabled = !open;
  }

  form.text.addEventListener("keydown", e => { if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) form.requestSubmit(); });
  form.addEventListener("submit", async e => {
    e.preventDefault();
    error.textContent = "";
    const body = { text: form.text.value.trim() };
    if (form.contentSid && form.contentSid.value.trim()) {
      body.contentSid = form.contentSid.value.trim();
      if (!body.text) body.text = "Template " + body.contentSid;
      if (form.contentVariables.value.trim()) {
        try { body.contentVariables = JSON.parse(form.contentVariables.value); } catch { error.textContent = "The template variables are not a JSON object."; return; }
      }
    }
    // Email: the Cc list as edited (it replaces the ticket's; an emptied field removes everyone).
    if (form.cc) body.cc = form.cc.value.split(",").map(a => a.trim()).filter(a => a);
    const files = form.files ? [...form.files.files] : [];
    if (!form.dataset.replyUrl) { error.textContent = "Replies are not available: the host has not mapped the agents' API (MapCrmChannels)."; return; }
    if (!body.text && files.length === 0) { error.textContent = "Write a reply first."; form.text.focus(); return; }
    button.disabled = true;
    try {
      const headers = { "RequestVerificationToken": token() };
      let payload;
      if (files.length > 0) {
        // Text fields first, then the files (the API checks the reply before it stores any file).
        payload = new FormData();
        payload.append("text", body.text);
        if (body.contentSid) payload.append("contentSid", body.contentSid);
        if (body.contentVariables) payload.append("contentVariables", JSON.stringify(body.contentVariables));
        if (body.cc) payload.append("cc", body.cc.join(","));
        for (const file of files) payload.append("files", file, file.name);
      } else {
        headers["Content-Type"] = "application/json";
        payload = JSON.stringify(body);
      }
      const response = await fetch(form.dataset.replyUrl, { method: "POST", credentials: "same-origin", headers, body: payload });
      if (response.ok) {
        // The Cc just sent is now the ticket's: the reset keeps it.
        if (form.cc) form.cc.defaultValue = body.cc.join(", ");
        form.reset();
        await refresh();
      } else {
        const problem = await response.json().catch(() => ({}));
        error.textContent = (problem.errors ? Object.values(problem.errors).flat().join(" ") : problem.detail) || "The reply could not be sent.";
      }
    } catch {
      error.textContent = "The server could not be reached.";
    } finally {
      button.disabled = false;
    }
  });

  async function refresh() {
    const fresh = await window.crmRefreshLive();
    const freshForm = fresh && fresh.getElementById("reply-form");
    if (freshForm) { form.dataset.windowOpen = freshForm.dataset.windowOpen; applyWindow(); }
  }

  applyWindow();
  // The window closes while the page is open too.
  setInterval(() => { if (!document.hidden) refresh().catch(() => { /* next tick */ }); }, 60000);
})();
