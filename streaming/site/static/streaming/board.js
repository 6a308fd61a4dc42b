// The live page's lanes: one card per agent, every lane the workflow declares shown from the
// start (pending until its agent acts), then any other agent as it appears. A card shows the
// lane's state and phase, a progress bar from its last `pct`, its latest message and how long its
// agent has been active (the sum of its activations: a run of its events with nobody else's in
// between, up to the next event of the session). When the session ends, no card is left looking
// busy: lanes that were working say "cancelled" or "failed", lanes that never ran "not run".
import { UNDECLARED, cssName, el, formatDuration, formatPct, parseTs } from "./timeline.js";

const ENDED_WORDS = { cancelled: "cancelled", failed: "failed" };

export class LaneBoard {
  constructor(container, lanes = UNDECLARED) {
    this.container = container;
    this.lanes = lanes;
    this.shown = new Map(); // agent -> its lane: nodes and numbers
    this.deciders = new Set(); // agents that emit supervisor events: they route, not work
    this.active = null; // the agent whose activation is open, and since when (ms)
    this.ended = null; // the session's terminal status, once it has one
    for (const name of lanes.order) this.lane(name);
  }

  lane(agent) {
    let lane = this.shown.get(agent);
    if (lane) return lane;
    this.container.querySelector("[data-placeholder]")?.remove();
    const phase = el("span", { className: "lane-phase", text: "pending" });
    const bar = el("progress", { className: "lane-bar", attrs: { max: "1", value: "0", "aria-label": `${this.lanes.label(agent)} progress` } });
    const pct = el("span", { className: "lane-pct" });
    const msg = el("p", { className: "lane-msg", text: "Not started yet" });
    const elapsed = el("p", { className: "lane-elapsed" });
    const node = el("div", { className: `lane agent-${cssName(agent)} no-progress`, data: { agent, state: "pending" } },
      el("div", { className: "lane-head" },
        el("span", { className: "lane-name", text: this.lanes.label(agent) }), phase),
      el("div", { className: "lane-progress" }, bar, pct), msg, elapsed);
    lane = { node, phase, bar, pct, msg, elapsed, value: null, state: "pending", activeMs: 0, since: null, runs: 0 };
    this.shown.set(agent, lane);
    this.lanes.paint(node, agent);
    this.lanes.place(this.container, node, agent);
    return lane;
  }

  /** Apply one event (in seq order) to its agent's lane and to the activations. */
  update(event) {
    const at = parseTs(event.ts);
    if (event.t === "session_event" || !event.agent) {
      if (["completed", "failed", "cancelled"].includes(event.phase)) this.finish(event.phase, at);
      return;
    }
    if (event.t === "supervisor_event") this.deciders.add(event.agent);
    this.switchTo(event.agent, at);
    const lane = this.lane(event.agent);
    lane.state = event.phase === "result" ? "done" : event.phase === "error" ? "failed" : "active";
    lane.node.dataset.state = lane.state;
    lane.node.dataset.phase = event.phase;
    lane.phase.textContent = event.phase;
    lane.phase.className = `lane-phase phase-${event.phase}`;
    if (event.pct !== null && event.pct !== undefined) lane.value = event.pct;
    if (event.phase === "result" && lane.value === null) lane.value = 1;
    this.drawProgress(lane);
    lane.msg.textContent = event.msg;
    lane.msg.title = event.msg;
  }

  drawProgress(lane, suffix = "") {
    lane.node.classList.toggle("no-progress", lane.value === null);
    if (lane.value === null) {
      lane.bar.removeAttribute("value");
      lane.pct.textContent = "";
    } else {
      lane.bar.value = lane.value;
      lane.pct.textContent = `${formatPct(lane.value)}${suffix}`;
    }
  }

  /** Close the open activation if another agent acts at `at`, and open `agent`'s. */
  switchTo(agent, at) {
    if (this.active && this.active.agent === agent) return;
    this.close(at);
    const lane = this.lane(agent);
    lane.since = at;
    lane.runs += 1;
    this.active = { agent, since: at };
  }

  close(at) {
    if (!this.active) return;
    const lane = this.shown.get(this.active.agent);
    lane.activeMs += Math.max(0, at - lane.since);
    lane.since = null;
    this.active = null;
  }

  /** The session ended with `status` at `at` (ms): settle every lane. */
  finish(status, at) {
    this.close(at);
    this.ended = status;
    for (const lane of this.shown.values()) {
      if (lane.state === "pending") {
        lane.state = "skipped";
        lane.phase.textContent = "not run";
        lane.msg.textContent = status === "completed" ? "Not needed in this session" : `Never started: the session ${status}`;
      } else if (lane.state === "active") {
        lane.state = status === "completed" ? "done" : "stopped";
        if (status !== "completed") {
          lane.phase.textContent = ENDED_WORDS[status] || status;
          lane.phase.className = "lane-phase";
          this.drawProgress(lane, " when stopped");
        }
      }
      lane.node.dataset.state = lane.state;
    }
    this.tick(at);
  }

  /** Redraw each lane's active time, counting the open activation up to `now` (ms). */
  tick(now) {
    for (const [agent, lane] of this.shown) {
      const open = this.active && this.active.agent === agent ? Math.max(0, now - lane.since) : 0;
      const total = lane.activeMs + open;
      if (!lane.runs) continue;
      const times = lane.runs === 1 ? "" : ` in ${lane.runs} turns`;
      lane.elapsed.textContent = `Active ${formatDuration(total)}${times}`;
      lane.elapsed.dataset.ms = String(Math.round(total));
    }
  }

  /**
   * The run's overall progress: each working lane counts 1 when done, its last `pct` while at
   * work, 0 before; lanes that only route the work (supervisor events) do not count.
   */
  overall() {
    const workers = [...this.shown.entries()].filter(([agent]) => !this.deciders.has(agent));
    if (this.ended === "completed") return { fraction: 1, done: workers.length, total: workers.length };
    let sum = 0;
    let done = 0;
    for (const [, lane] of workers) {
      if (lane.state === "done") {
        sum += 1;
        done += 1;
      } else if (lane.value !== null) {
        sum += Math.min(1, Math.max(0, lane.value));
      }
    }
    return { fraction: workers.length ? sum / workers.length : 0, done, total: workers.length };
  }
}
