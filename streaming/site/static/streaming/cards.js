// The cards beside the event list on both session pages: the supervisor's decisions, and the
// details of one event (its fields, relative time and data, with a button to copy its JSON).
import { copyText, say } from "./clipboard.js";
import { UNDECLARED, el, formatClock, formatPct, formatSpan, parseTs } from "./timeline.js";

/** The `decision` events: where the work goes next, why, and how sure the decider was. */
export class DecisionList {
  constructor(container, { max = 50, lanes = UNDECLARED } = {}) {
    this.container = container;
    this.max = max;
    this.lanes = lanes;
    this.placeholder = container.querySelector("[data-placeholder]");
  }

  reset() {
    this.container.replaceChildren();
    if (this.placeholder) this.container.append(this.placeholder);
  }

  add(event) {
    if (event.phase !== "decision" || !event.data) return;
    this.placeholder?.remove();
    const confidence = Number(event.data.confidence);
    const meter = el("meter", { className: "confidence", attrs: { min: "0", max: "1", value: String(confidence), "aria-label": "confidence" } });
    const item = el("li", { className: "decision", data: { decisionSeq: event.seq } },
      el("div", { className: "decision-head" },
        el("span", { className: "decision-next", text: `→ ${this.lanes.label(event.data.next)}` }),
        el("span", { className: "decision-conf", text: `${Math.round(confidence * 100)}% sure` }), meter),
      el("p", { className: "decision-reason", text: event.data.reasoning }),
      el("time", { className: "decision-time", text: `#${event.seq} · ${formatClock(parseTs(event.ts))}`, attrs: { datetime: event.ts } }));
    if (event.agent) this.lanes.paint(item, event.agent);
    this.container.prepend(item);
    while (this.container.children.length > this.max) this.container.lastElementChild.remove();
  }
}


/** The detail of one event: its fields, timing and data (errors highlighted). */
export function renderDetail(container, event, startMs) {
  const rel = startMs === undefined ? "" : ` (+${formatSpan(parseTs(event.ts) - startMs)})`;
  const rows = [
    ["seq", `#${event.seq}`],
    ["time", `${event.ts}${rel}`],
    ["type", event.t],
    ["agent", event.agent || "—"],
    ["phase", event.phase],
    ["progress", event.pct === null || event.pct === undefined ? "—" : formatPct(event.pct)],
  ];
  const list = el("dl", { className: "detail-fields" });
  for (const [name, value] of rows) list.append(el("dt", { text: name }), el("dd", { text: value }));
  const isError = event.phase === "error" || event.phase === "failed";
  container.replaceChildren(
    el("div", { className: `detail${isError ? " is-error" : ""}`, data: { detailSeq: event.seq } },
      el("p", { className: "detail-msg", text: event.msg }), list,
      el("pre", { className: "detail-data", text: JSON.stringify(event.data || {}, null, 2) })));
}

/** The detail card: shows one event (see `renderDetail`) and copies its JSON on request. */
export class DetailCard {
  constructor({ container, copyButton, copied }) {
    this.container = container;
    this.copyButton = copyButton;
    this.copied = copied;
    this.event = null;
    copyButton?.addEventListener("click", () => this.copy());
  }

  show(event, startMs) {
    this.event = event;
    renderDetail(this.container, event, startMs);
    if (this.copyButton) this.copyButton.hidden = false;
  }

  async copy() {
    if (!this.event) return;
    const ok = await copyText(JSON.stringify(this.event, null, 2));
    say(this.copied, ok ? "Copied the event's JSON" : "Could not copy");
  }
}
