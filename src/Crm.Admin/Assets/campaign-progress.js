// Keeps the campaign page's progress bar and stats current without a reload.
(() => {
  const root = document.getElementById("campaign");
  if (!root) return;
  const url = root.dataset.campaignUrl;
  if (!url) return; // the host did not map the campaigns' API
  const bar = document.querySelector("[data-testid=campaign-progress]");
  const text = document.querySelector("[data-testid=campaign-progress-text]");
  const status = document.querySelector("[data-testid=campaign-status]");

  async function refresh() {
    try {
      const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (!response.ok) return;
      const c = await response.json();
      const done = c.sent + c.failed;
      const percent = c.recipients === 0 ? (c.status === "completed" ? 100 : 0) : Math.round(100 * done / c.recipients);
      bar.setAttribute("aria-valuenow", String(percent));
      bar.firstElementChild.style.width = percent + "%";
      text.textContent = percent + "%";
      status.textContent = c.status;
      status.className = "badge " + c.status;
      for (const field of document.querySelectorAll("[data-field]")) {
        if (field.dataset.field in c) field.textContent = String(c[field.dataset.field]);
      }
    } catch {
      // Offline for a moment: the next tick tries again.
    }
  }

  setInterval(refresh, 1000);
})();
