// Sharing a session (owner and staff; the server renders the controls only for them): the Share
// button opens the panel with the read-only link (the page's own, with the session's share token)
// and copies it, saying so; "Make a new link" rotates the token through the API, so every link
// given out before stops working, and copies the new one.
import { copyText, say } from "./clipboard.js";

export function wireShare(config) {
  const $ = (id) => document.getElementById(id);
  const button = $("share-button");
  if (!button || !config.rotateUrl) return null;
  const panel = $("share-panel");
  const input = $("share-link");
  const status = $("share-status");
  const rotate = $("share-rotate");

  function tell(text, ok = true) {
    status.dataset.state = ok ? "ok" : "error";
    say(status, text, 8000);
  }

  async function copyLink(message) {
    if (await copyText(input.value)) {
      tell(message);
    } else {
      input.select();
      tell("Could not copy: the link is selected, copy it yourself", false);
    }
  }

  async function newLink() {
    rotate.disabled = true;
    try {
      const response = await fetch(config.rotateUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": config.csrfToken, Accept: "application/json" },
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const session = await response.json();
      const url = new URL(input.value);
      url.searchParams.set("token", session.share_token);
      input.value = url.href;
      for (const [key, link] of Object.entries(config.shareUrls || {})) {
        const other = new URL(link);
        other.searchParams.set("token", session.share_token);
        config.shareUrls[key] = other.href;
      }
      await copyLink("New link copied. Every old link has stopped working.");
    } catch (error) {
      tell("Could not make a new link; try again", false);
      console.warn("share token", error);
    } finally {
      rotate.disabled = false;
    }
  }

  function share() {
    panel.hidden = false;
    button.setAttribute("aria-expanded", "true");
    return copyLink("Copied the read-only link");
  }

  button.addEventListener("click", share);
  $("share-copy").addEventListener("click", () => copyLink("Copied the read-only link"));
  rotate.addEventListener("click", newLink);
  return { share };
}
