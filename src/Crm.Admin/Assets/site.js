// Behaviour shared by the admin pages; the Content-Security-Policy allows no inline script.
document.addEventListener("click", event => {
  const button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.dataset.confirm)) event.preventDefault();
});

// Live regions: the server renders every page; a short poll swaps in the parts marked data-live (with an id) when they
// changed, so the inbox and a ticket show new messages and delivery statuses without a reload. A page that sends an
// ETag is asked with If-None-Match: until something changed it answers 304, with no body to fetch or parse.
let liveETag = null;
window.crmRefreshLive = async () => {
  const regions = document.querySelectorAll("[data-live][id]");
  if (regions.length === 0) return null;
  const headers = { Accept: "text/html" };
  if (liveETag) headers["If-None-Match"] = liveETag;
  const response = await fetch(location.href, { credentials: "same-origin", headers, cache: "no-store" });
  if (response.status === 304 || !response.ok) return null;
  liveETag = response.headers.get("ETag");
  const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
  // Forms carry a fresh anti-forgery token on every render: not a change worth replacing what the user is using.
  const comparable = html => html.replace(/<input[^>]*__RequestVerificationToken[^>]*>/g, "");
  for (const region of regions) {
    const replacement = fresh.getElementById(region.id);
    if (replacement && comparable(replacement.innerHTML) !== comparable(region.innerHTML)) region.innerHTML = replacement.innerHTML;
  }
  return fresh;
};
if (document.querySelector("[data-live][id]")) {
  setInterval(() => { if (!document.hidden) window.crmRefreshLive().catch(() => { /* next tick */ }); }, 3000);
}
