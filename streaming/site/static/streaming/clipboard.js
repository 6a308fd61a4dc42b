// Copying text for the reader: the Clipboard API, else the older selection copy (a page served
// over plain HTTP from another host has no Clipboard API); `say` shows a short confirmation in
// a live region, so screen readers hear it too.

/** Copy `text`; return true if it was copied. */
export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "visually-hidden";
    document.body.append(area);
    area.select();
    let copied = false;
    try {
      copied = document.execCommand("copy");
    } catch {
      copied = false;
    }
    area.remove();
    return copied;
  }
}

const timers = new WeakMap();

/** Show `text` in the live region `node` for `ms` milliseconds. */
export function say(node, text, ms = 5000) {
  if (!node) return;
  node.textContent = text;
  clearTimeout(timers.get(node));
  timers.set(node, setTimeout(() => { node.textContent = ""; }, ms));
}
