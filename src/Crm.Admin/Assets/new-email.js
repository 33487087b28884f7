// "New email": starts a conversation through the agents' API, then opens the new ticket.
(() => {
  const form = document.getElementById("new-email-form");
  if (!form) return;
  const error = form.querySelector("[data-testid=new-email-error]");
  const button = form.querySelector("[data-testid=new-email-send]");
  const token = () => document.querySelector("meta[name=request-verification-token]")?.content ?? "";

  form.text.addEventListener("keydown", e => { if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) form.requestSubmit(); });
  form.addEventListener("submit", async e => {
    e.preventDefault();
    error.textContent = "";
    if (!form.dataset.outboundUrl) { error.textContent = "Sending is not available: the host has not mapped the agents' API (MapCrmChannels)."; return; }
    const body = {
      inbox: form.inbox.value,
      to: form.to.value.trim(),
      cc: form.cc.value.split(",").map(a => a.trim()).filter(a => a),
      subject: form.subject.value.trim(),
      text: form.text.value.trim(),
    };
    button.disabled = true;
    try {
      const response = await fetch(form.dataset.outboundUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "RequestVerificationToken": token() },
        body: JSON.stringify(body),
      });
      if (response.status === 201) {
        const ticket = await response.json();
        window.location.assign(form.dataset.ticketUrl.replace(/0$/, String(ticket.id)));
        return;
      }
      const problem = await response.json().catch(() => ({}));
      error.textContent = (problem.errors ? Object.values(problem.errors).flat().join(" ") : problem.detail) || "The email could not be sent.";
    } catch {
      error.textContent = "The server could not be reached.";
    }
    button.disabled = false;
  });
})();
