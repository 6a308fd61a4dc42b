// The replay's data: the session's events in seq order, each one's time since the first, and
// sorted indices (per agent, reports, decisions, filter matches) so that nothing scans every
// event on a frame: the playhead finds what it needs by binary search.
import { EventLog, isReport, parseTs, statusAfter } from "./timeline.js";

/** The number of items of the sorted array `sorted` that are <= `value`. */
export function upperBound(sorted, value) {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] <= value) lo = mid + 1; else hi = mid;
  }
  return lo;
}

function passes(event, filter) {
  if (filter.agent && (event.agent || "session") !== filter.agent) return false;
  if (filter.phase && event.phase !== filter.phase) return false;
  return !filter.text || event.msg.toLowerCase().includes(filter.text);
}

export class Recording {
  constructor(reportAgent) {
    this.reportAgent = reportAgent;
    this.log = new EventLog();
    this.events = this.log.events;
    this.times = []; // ms since the first event
    this.t0 = null;
    this.agents = new Map(); // agent -> {indices, pctIndices}; "session" -> null (no lane)
    this.reportIndices = [];
    this.decisionIndices = [];
    this.firstWork = -1; // the index of the first event an agent emitted (-1: none yet)
    this.filter = null; // {agent, phase, text}, or null for none
    this.matches = null; // indices of the events that pass the filter, or null for none
  }

  get length() {
    return this.events.length;
  }

  get lastSeq() {
    return this.log.lastSeq;
  }

  /** The time from the first event to the last, in ms. */
  get total() {
    return this.times.length ? this.times[this.times.length - 1] : 0;
  }

  /** When the first agent acted, in ms since the first event (0 before any did). */
  get workStart() {
    return this.firstWork < 0 ? 0 : this.times[this.firstWork];
  }

  /** How many events after position `pos` pass the filter (0 without one). */
  matchesAfter(pos) {
    return this.matches === null ? 0 : this.matches.length - upperBound(this.matches, pos);
  }

  /** Add a page of events (already seen ones are skipped). Return what they tell. */
  add(page) {
    const news = { agents: [], status: null };
    for (const event of page) {
      if (this.log.accept(event) !== "new") continue;
      this.log.push(event);
      const i = this.events.length - 1;
      const ms = parseTs(event.ts);
      if (this.t0 === null) this.t0 = ms;
      this.times.push(ms - this.t0);
      if (this.matches !== null && passes(event, this.filter)) this.matches.push(i);
      const who = event.agent || "session";
      if (!this.agents.has(who)) {
        this.agents.set(who, event.t === "session_event" ? null : { indices: [], pctIndices: [] });
        news.agents.push(who);
      }
      const info = this.agents.get(who);
      if (info && this.firstWork < 0) this.firstWork = i;
      if (info) {
        info.indices.push(i);
        if (event.pct !== null && event.pct !== undefined) info.pctIndices.push(i);
      }
      if (isReport(event, this.reportAgent)) this.reportIndices.push(i);
      if (event.phase === "decision") this.decisionIndices.push(i);
      news.status = statusAfter(event) || news.status;
    }
    return news;
  }

  /** Keep only the events passing `filter` ({agent, phase, text}) in the list and its steps. */
  setFilter(filter) {
    const text = filter.text.trim().toLowerCase();
    if (!filter.agent && !filter.phase && !text) {
      this.filter = null;
      this.matches = null;
      return;
    }
    this.filter = { ...filter, text };
    this.matches = [];
    for (let i = 0; i < this.events.length; i += 1) {
      if (passes(this.events[i], this.filter)) this.matches.push(i);
    }
  }

  /** How many listed events are at or before position `pos`. */
  listedUpTo(pos) {
    return this.matches === null ? pos + 1 : upperBound(this.matches, pos);
  }

  /** The k-th listed event. */
  listed(k) {
    return this.events[this.matches === null ? k : this.matches[k]];
  }

  /** The position `count` listed events after (direction 1) or before (-1) `pos`. */
  step(pos, direction, count = 1) {
    let at = pos;
    for (let n = 0; n < count; n += 1) {
      if (this.matches === null) {
        at += direction;
      } else if (direction > 0) {
        const k = upperBound(this.matches, at);
        if (k >= this.matches.length) break;
        at = this.matches[k];
      } else {
        const k = upperBound(this.matches, at - 1) - 1;
        at = k >= 0 ? this.matches[k] : -1;
      }
    }
    return Math.max(-1, Math.min(at, this.events.length - 1));
  }

  /** The index of the event with `seq`, or -1. */
  indexOfSeq(seq) {
    return this.log.indexOfSeq(seq);
  }
}
