// The campaign editor: live recipient count and a preview rendered by the server for a sample contact.
(() => {
  const form = document.getElementById("campaign-editor");
  if (!form) return;
  const count = document.querySelector("[data-testid=campaign-recipient-count]");
  const preview = document.getElementById("preview");
  if (!form.dataset.countUrl || !form.dataset.previewUrl) return; // the host did not map the campaigns' API
  const previewSubject = document.querySelector("[data-testid=campaign-preview-subject]");
  const post = (url, body) => fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "RequestVerificationToken": document.querySelector("meta[name=request-verification-token]")?.content ?? "" },
    body: JSON.stringify(body),
  });

  const segment = () => {
    const audience = form.querySelector("input[name=Audience]:checked")?.value;
    if (audience === "saved") return JSON.parse(form.SavedSegmentId.selectedOptions[0]?.dataset.segment ?? "null");
    if (audience !== "segment") return null;
    const result = { tags: [...form.querySelectorAll("input[name=SegmentTags]:checked")].map(c => c.value) };
    const event = form.EngagementEvent?.value;
    if (event) result.engagement = [{ event, campaignId: Number(form.EngagementCampaign.value) || undefined }];
    return result;
  };

  async function updateCount() {
    count.textContent = "…";
    try {
      const response = await post(form.dataset.countUrl, { segment: segment() });
      const result = await response.json();
      count.textContent = response.ok ? String(result.recipients) : "–";
    } catch {
      count.textContent = "–";
    }
  }

  let timer;
  function schedulePreview() {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      try {
        const response = await post(form.dataset.previewUrl, { subject: form.Subject.value, body: form.Body.value });
        const result = await response.json();
        if (response.ok) {
          previewSubject.textContent = result.subject;
          preview.srcdoc = result.html;
        } else {
          previewSubject.textContent = Object.values(result.errors || {}).flat().join(" ") || result.title;
        }
      } catch {
        previewSubject.textContent = "Preview unavailable.";
      }
    }, 300);
  }

  form.addEventListener("change", e => { if (["Audience", "SegmentTags", "EngagementEvent", "EngagementCampaign", "SavedSegmentId"].includes(e.target.name)) updateCount(); });
  form.Subject.addEventListener("input", schedulePreview);
  form.Body.addEventListener("input", schedulePreview);
  updateCount();
  schedulePreview();
})();
