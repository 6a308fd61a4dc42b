// Runs in <head>, before the page paints: applies the reader's remembered colour theme (auto,
// light or dark; the key Django's admin uses) to <html data-theme>. site.js switches it.
(function applyRememberedTheme() {
  try {
    const theme = window.localStorage.getItem("theme");
    if (theme === "auto" || theme === "light" || theme === "dark") {
      document.documentElement.dataset.theme = theme;
    }
  } catch {
    // storage refused: follow the system
  }
}());
