// agentstream's admin: a "Copy link" button beside the read-only share link copies it as an
// absolute URL and says so (no inline script: the admin runs under the site's CSP too).
document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy-link]");
  if (!button) return;
  const url = new URL(button.dataset.copyLink, window.location.href).href;
  const said = button.parentElement.querySelector(".as-copied");
  try {
    await navigator.clipboard.writeText(url);
    if (said) said.textContent = "Copied";
  } catch {
    if (said) said.textContent = "Select the link and copy it";
  }
});
