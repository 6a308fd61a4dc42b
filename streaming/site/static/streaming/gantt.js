// The replay's lanes view: one lane per agent across a shared time axis (the workflow's declared
// lanes first, in their order, then undeclared agents as they appeared), one bar per run (an
// agent's consecutive events in one phase with nobody else's in between) from the run's first
// event to the next event of the session, and a playhead. Runs thinner than MIN_BAR of the axis
// are left out unless they are single events or errors, so a huge session draws few bars.
import { cssName, el, formatPct, formatSpan } from "./timeline.js";
import { upperBound } from "./recording.js";

const MIN_BAR = 0.0005;

export class Gantt {
  constructor({ axis, rows, playhead, lanes }) {
    this.axis = axis;
    this.lanes = lanes; // lanes.js: each agent's label, colour and place
    this.rowsNode = rows;
    this.playhead = playhead;
    this.labels = new Map(); // agent -> {phase, pct} nodes of its label
  }

  /** Draw the axis and every lane's bars from `recording`. */
  draw(recording) {
    const span = Math.max(recording.total, 1);
    const ticks = [];
    for (let k = 0; k <= 4; k += 1) {
      const tick = el("span", { className: "gantt-tick", text: `+${formatSpan((span * k) / 4)}` });
      tick.style.left = `${k * 25}%`;
      ticks.push(tick);
    }
    this.axis.replaceChildren(el("span", { className: "gantt-label" }), el("div", { className: "gantt-track" }, ...ticks));
    const rows = [];
    this.labels.clear();
    for (const agent of this.lanes.sorted(recording.agents.keys())) {
      const info = recording.agents.get(agent);
      if (info === null) continue;
      const track = el("div", { className: "gantt-track" });
      for (const bar of this.bars(recording, this.lanes.label(agent), info.indices, span)) track.append(bar);
      const phase = el("span", { className: "gantt-phase" });
      const pct = el("span", { className: "gantt-pct" });
      this.labels.set(agent, { phase, pct });
      const label = el("span", { className: "gantt-label" },
        el("span", { className: `gantt-name agent-${cssName(agent)}`, text: this.lanes.label(agent) }), phase, pct);
      const row = el("div", { className: `gantt-row agent-${cssName(agent)}`, data: { agent } }, label, track);
      rows.push(this.lanes.paint(row, agent));
    }
    this.rowsNode.replaceChildren(...rows);
  }

  /** The bars of one agent's runs (`label` names the agent in their titles). */
  bars(recording, label, indices, span) {
    const { events, times } = recording;
    const bars = [];
    let run = null;
    const close = (endIndex) => {
      if (!run) return;
      const end = endIndex < events.length ? times[endIndex] : times[run.last];
      const width = (end - times[run.first]) / span;
      const first = events[run.first];
      if (width >= MIN_BAR || run.first === run.last || first.phase === "error") {
        const bar = el("button", {
          className: `gantt-bar phase-${first.phase}`,
          data: { index: run.first, firstSeq: first.seq },
          attrs: { type: "button", title: `${label} · ${first.phase} · #${first.seq}–#${events[run.last].seq} · ${formatSpan(end - times[run.first])}` },
        });
        bar.style.left = `${(times[run.first] / span) * 100}%`;
        bar.style.width = `${Math.max(width * 100, 0.3)}%`;
        bars.push(bar);
      }
      run = null;
    };
    let previous = -2;
    for (const i of indices) {
      const phase = events[i].phase;
      if (run && run.phase === phase && i === previous + 1) {
        run.last = i;
      } else {
        close(run ? run.last + 1 : i);
        run = { phase, first: i, last: i };
      }
      if (phase === "error") close(i + 1);
      previous = i;
    }
    close(run ? run.last + 1 : events.length);
    return bars;
  }

  /** Move the playhead to `clock` and show each agent's phase and progress at position `pos`. */
  moveTo(recording, pos, clock) {
    const fraction = Math.min(1, clock / Math.max(recording.total, 1));
    this.playhead.style.left = `calc(var(--gantt-label) + (100% - var(--gantt-label)) * ${fraction})`;
    const { events } = recording;
    for (const [agent, label] of this.labels) {
      const info = recording.agents.get(agent);
      const k = upperBound(info.indices, pos) - 1;
      const p = upperBound(info.pctIndices, pos) - 1;
      label.phase.textContent = k >= 0 ? events[info.indices[k]].phase : "";
      label.pct.textContent = p >= 0 && k >= 0 ? formatPct(events[info.pctIndices[p]].pct) : "";
    }
  }
}
