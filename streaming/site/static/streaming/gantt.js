// The replay's lanes view: one lane per agent across a shared time axis (the workflow's declared
// lanes first, in their order, then undeclared agents as they appeared). The axis starts when the
// first agent acted: the idle start before it is trimmed, and a note says how long it was (the
// ticks keep counting from the session's start). Each lane draws its activations (a run of the
// agent's events with nobody else's in between, up to the next event of the session) with their
// durations (those too thin to see are counted, not drawn), one bar per run of a phase inside
// them, and its total active time by its name.
// Runs thinner than MIN_BAR of the visible axis are left out unless they are single events or
// errors, so a huge session draws few bars; zooming in (zoom.js) brings them back.
import { upperBound } from "./recording.js";
import { cssName, el, formatDuration, formatPct, formatSpan } from "./timeline.js";

const MIN_BAR = 0.0005;
const NOTE_TRIM_MS = 1000; // a trimmed start this long or longer gets the note
const TICK_PX = 130; // about one axis label per this many pixels of track

export class Gantt {
  constructor({ axis, rows, playhead, note, lanes }) {
    Object.assign(this, { axis, playhead, note, lanes });
    this.rowsNode = rows;
    this.labels = new Map(); // agent -> {phase, pct} nodes of its label
    this.zoom = 1;
    this.start = 0; // the axis's start, ms since the first event
    this.span = 1; // the axis's length, ms
  }

  /** Draw the axis and every lane from `recording` (`zoom`: how many times the view's width). */
  draw(recording, zoom = this.zoom) {
    this.zoom = zoom;
    this.start = recording.workStart;
    this.span = Math.max(recording.total - this.start, 1);
    this.drawAxis();
    this.drawNote();
    const rows = [];
    this.labels.clear();
    for (const agent of this.lanes.sorted(recording.agents.keys())) {
      const info = recording.agents.get(agent);
      if (info === null) continue;
      rows.push(this.row(recording, agent, info));
    }
    this.rowsNode.replaceChildren(...rows);
  }

  at(ms) {
    return `${((ms - this.start) / this.span) * 100}%`;
  }

  drawAxis() {
    const ticks = [];
    const label = parseFloat(getComputedStyle(this.axis).getPropertyValue("--gantt-label")) || 0;
    const track = (this.axis.clientWidth - label) || 600;
    const count = Math.max(1, Math.min(64, Math.floor(track / TICK_PX)));
    for (let k = 0; k <= count; k += 1) {
      const ms = this.start + (this.span * k) / count;
      const tick = el("span", { className: "gantt-tick", text: `+${formatSpan(ms)}` });
      tick.style.left = this.at(ms);
      ticks.push(tick);
    }
    this.axis.replaceChildren(el("span", { className: "gantt-label" }), el("div", { className: "gantt-track" }, ...ticks));
  }

  drawNote() {
    if (!this.note) return;
    const trimmed = this.start >= NOTE_TRIM_MS;
    this.note.hidden = !trimmed;
    this.note.dataset.trimmedMs = String(Math.round(this.start));
    if (trimmed) {
      this.note.textContent = `The first ${formatSpan(this.start)} had no agent at work (the session waited to start): `
        + `trimmed, the lanes begin at +${formatSpan(this.start)}.`;
    }
  }

  row(recording, agent, info) {
    const label = this.lanes.label(agent);
    const track = el("div", { className: "gantt-track" });
    const activations = this.activations(recording, info.indices);
    let active = 0;
    for (const act of activations) {
      active += act.ms;
      // Like the bars: an activation too thin to see is counted, not drawn.
      if (act.ms / this.span >= MIN_BAR / this.zoom) track.append(this.activation(recording, label, act));
    }
    for (const bar of this.bars(recording, label, info.indices)) track.append(bar);
    const phase = el("span", { className: "gantt-phase" });
    const pct = el("span", { className: "gantt-pct" });
    const total = el("span", {
      className: "gantt-total",
      text: `${formatDuration(active)}${activations.length > 1 ? ` · ${activations.length}×` : ""}`,
      data: { ms: Math.round(active), activations: activations.length },
      attrs: { title: `${label} was active ${formatDuration(active)} in ${activations.length} turn(s)` },
    });
    this.labels.set(agent, { phase, pct });
    const name = el("span", { className: `gantt-name agent-${cssName(agent)}`, text: label });
    const row = el("div", { className: `gantt-row agent-${cssName(agent)}`, data: { agent } },
      el("span", { className: "gantt-label" }, name, total, phase, pct), track);
    return this.lanes.paint(row, agent);
  }

  /** The agent's activations: [{first, last, from, ms}] (indices into the recording, ms). */
  activations(recording, indices) {
    const { events, times } = recording;
    const found = [];
    let act = null;
    for (const i of indices) {
      if (act && i === act.last + 1) {
        act.last = i;
        continue;
      }
      if (act) found.push(act);
      act = { first: i, last: i };
    }
    if (act) found.push(act);
    for (const a of found) {
      const end = a.last + 1 < events.length ? times[a.last + 1] : times[a.last];
      a.from = times[a.first];
      a.ms = Math.max(0, end - a.from);
    }
    return found;
  }

  activation(recording, label, act) {
    const { events } = recording;
    const node = el("span", {
      className: "gantt-act",
      data: { durationMs: Math.round(act.ms), firstSeq: events[act.first].seq },
      attrs: { title: `${label}: ${formatDuration(act.ms)} (#${events[act.first].seq}–#${events[act.last].seq})` },
    }, el("span", { text: formatDuration(act.ms) }));
    node.style.left = this.at(act.from);
    node.style.width = `${(act.ms / this.span) * 100}%`;
    return node;
  }

  /** The bars of one agent's runs of a phase (`label` names the agent in their titles). */
  bars(recording, label, indices) {
    const { events, times } = recording;
    const minBar = MIN_BAR / this.zoom;
    const bars = [];
    let run = null;
    const close = (endIndex) => {
      if (!run) return;
      const end = endIndex < events.length ? times[endIndex] : times[run.last];
      const width = (end - times[run.first]) / this.span;
      const first = events[run.first];
      if (width >= minBar || run.first === run.last || first.phase === "error") {
        const bar = el("button", {
          className: `gantt-bar phase-${first.phase}`,
          data: { index: run.first, firstSeq: first.seq },
          attrs: {
            type: "button",
            title: `${label} · ${first.phase} · #${first.seq}–#${events[run.last].seq} · ${formatSpan(end - times[run.first])}`,
            "aria-label": `${label} ${first.phase}, events ${first.seq} to ${events[run.last].seq}`,
          },
        });
        bar.style.left = this.at(times[run.first]);
        bar.style.width = `${Math.max(width * 100, 0.3 / this.zoom)}%`;
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

  /** Where the playhead is on the axis (0–1) for `clock` (ms since the first event). */
  fraction(clock) {
    return Math.min(1, Math.max(0, (clock - this.start) / this.span));
  }

  /** Move the playhead to `clock` and show each agent's phase and progress at position `pos`. */
  moveTo(recording, pos, clock) {
    const fraction = this.fraction(clock);
    this.playhead.style.left = `calc(var(--gantt-label) + (100% - var(--gantt-label)) * ${fraction})`;
    const { events } = recording;
    for (const [agent, label] of this.labels) {
      const info = recording.agents.get(agent);
      const k = upperBound(info.indices, pos) - 1;
      const p = upperBound(info.pctIndices, pos) - 1;
      label.phase.textContent = k >= 0 ? events[info.indices[k]].phase : "";
      label.pct.textContent = p >= 0 && k >= 0 ? formatPct(events[info.pctIndices[p]].pct) : "";
    }
    return fraction;
  }
}
