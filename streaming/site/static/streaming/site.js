// What every page does: the colour theme toggle (auto, light, dark; remembered in localStorage
// under the key Django's admin uses, so both follow one choice; theme.js applies it before the
// page paints), the `?` overlay of keyboard shortcuts, and copy buttons (`data-copy-text`).
import { copyText, say } from "./clipboard.js";
import { onKey } from "./keys.js";

const root = document.documentElement;
const THEMES = ["auto", "light", "dark"];
const WORDS = { auto: "follows the system", light: "light", dark: "dark" };

function currentTheme() {
  return THEMES.includes(root.dataset.theme) ? root.dataset.theme : "auto";
}

function showTheme() {
  const button = document.getElementById("theme-toggle");
  if (!button) return;
  const theme = currentTheme();
  button.textContent = `Theme: ${theme}`;
  button.title = `Colour theme: ${WORDS[theme]}. Switch it (t)`;
}

/** Next theme, in the order Django's admin uses: the one that looks different comes first. */
function cycleTheme() {
  const prefersDark = window.matchMedia("(prefers-color-scheme: dark)").matches;
  const order = prefersDark ? ["auto", "light", "dark"] : ["auto", "dark", "light"];
  const next = order[(order.indexOf(currentTheme()) + 1) % order.length];
  root.dataset.theme = next;
  try {
    localStorage.setItem("theme", next);
  } catch {
    // storage refused (private mode): the choice lasts for this page only
  }
  showTheme();
}

function wireShortcuts() {
  const dialog = document.getElementById("shortcuts");
  const open = document.getElementById("shortcuts-button");
  if (!dialog || !open) return;
  const toggle = () => {
    if (dialog.open) dialog.close(); else dialog.showModal();
  };
  open.addEventListener("click", toggle);
  document.getElementById("shortcuts-close")?.addEventListener("click", () => dialog.close());
  dialog.addEventListener("click", (event) => {
    if (event.target === dialog) dialog.close(); // a click on the backdrop
  });
  dialog.addEventListener("keydown", (event) => {
    if (event.key === "?") {
      event.preventDefault();
      dialog.close();
    }
  });
  onKey("?", toggle);
}

function wireCopyButtons() {
  document.addEventListener("click", async (event) => {
    const button = event.target.closest("[data-copy-text]");
    if (!button) return;
    const ok = await copyText(button.dataset.copyText);
    say(button.parentElement.querySelector(".copied"), ok ? "Copied" : "Could not copy");
  });
}

document.getElementById("theme-toggle")?.addEventListener("click", cycleTheme);
onKey("t", cycleTheme);
onKey("/", () => {
  const search = document.querySelector("[role=search] input[type=search]");
  if (!search) return false;
  search.focus();
  return true;
});
onKey("n", () => {
  const query = document.getElementById("id_query");
  if (!query) return false;
  query.focus();
  return true;
});
showTheme();
wireShortcuts();
wireCopyButtons();
