// The report card of both session pages: the server's sanitised rendering of the report (see
// `showReport`), and, once there is one, buttons to copy its Markdown or download it as a file.
// Before there is one it says when it will come, and once the session has ended without one, it
// says so (it never promises a report that cannot come).
import { copyText, say } from "./clipboard.js";
import { showReport } from "./timeline.js";

export class ReportCard {
  constructor({ node, actions, copyButton, download, copied, reportUrl, markdownUrl, label }) {
    Object.assign(this, { node, actions, copyButton, download, copied, reportUrl, markdownUrl, label });
    this.seq = null;
    this.waiting = Array.from(node.childNodes, (child) => child.cloneNode(true));
    copyButton?.addEventListener("click", () => this.copy());
  }

  markdownFor(seq) {
    const url = new URL(this.markdownUrl, window.location.href);
    url.searchParams.set("seq", String(seq));
    return url;
  }

  /** Show the report of result event `seq`; return true once shown. */
  async show(seq) {
    const shown = await showReport(this.node, this.reportUrl, seq);
    if (!shown) return false;
    this.seq = seq;
    if (this.actions) this.actions.hidden = false;
    if (this.download) {
      const url = this.markdownFor(seq);
      this.download.href = url.pathname + url.search;
      this.download.setAttribute("download", ""); // the server names the file
    }
    return true;
  }

  /** Go back to the text shown before any report (the replay, before the playhead's first). */
  clear() {
    this.seq = null;
    this.node.dataset.state = "empty";
    this.node.replaceChildren(...this.waiting.map((child) => child.cloneNode(true)));
    if (this.actions) this.actions.hidden = true;
  }

  /** The session ended with `status` and no report was shown: say that none will come. */
  ended(status) {
    if (this.seq !== null || !this.label) return;
    const why = {
      completed: "This session ended without a report.",
      failed: `No report: the session failed before ${this.label} wrote one.`,
      cancelled: `No report: the session was cancelled before ${this.label} wrote one.`,
    }[status];
    if (!why) return;
    const text = document.createElement("p");
    text.className = "muted";
    text.textContent = why;
    this.node.dataset.state = "none";
    this.node.replaceChildren(text);
  }

  async copy() {
    if (this.seq === null) return;
    try {
      const response = await fetch(this.markdownFor(this.seq), { credentials: "same-origin" });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const ok = await copyText(await response.text());
      say(this.copied, ok ? "Copied the Markdown" : "Could not copy");
    } catch (error) {
      say(this.copied, "Could not copy");
      console.warn("report markdown", error);
    }
  }
}
