// Behaviour shared by the admin pages; the Content-Security-Policy allows no inline script.
document.addEventListener("click", event => {
  const button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.dataset.confirm)) event.preventDefault();
});
