// Keyboard shortcuts: one listener, keys registered by the page's scripts (base.html's `?`
// overlay lists them). A key typed into a field is the field's, never a shortcut.

const handlers = new Map(); // key -> handler(event)

/** True when `target` takes typed text (so its keys are not shortcuts). */
export function typing(target) {
  const tag = target?.tagName;
  return tag === "TEXTAREA" || tag === "SELECT" || Boolean(target?.isContentEditable)
    || (tag === "INPUT" && !["range", "checkbox", "radio", "button", "submit"].includes(target.type));
}

/** Call `handler(event)` when `key` (a KeyboardEvent.key) is pressed outside a field. */
export function onKey(key, handler) {
  handlers.set(key, handler);
}

document.addEventListener("keydown", (event) => {
  if (event.altKey || event.ctrlKey || event.metaKey || event.defaultPrevented) return;
  if (typing(event.target)) return;
  const handler = handlers.get(event.key);
  if (!handler) return;
  if (handler(event) !== false) event.preventDefault();
});
