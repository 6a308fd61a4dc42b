// What the session pages share to render events: parsing and formatting, the event row, the
// ordered log, paging through the events API and the report fragment. Agent text is untrusted, so
// everything here (and in board.js, cards.js) builds the DOM with createElement and textContent;
// nothing parses strings as HTML except `showReport`, which reads the server's nh3-sanitised
// fragment with an inert DOMParser. Events follow docs/protocol.md's event object; agents are
// named, coloured and ordered by the workflow's declared lanes (lanes.js).
import { Lanes } from "./lanes.js";

export const TERMINAL = new Set(["completed", "failed", "cancelled"]);
export const PHASES = ["think", "progress", "decision", "result", "error",
  "started", "completed", "failed", "cancelled"];
export const UNDECLARED = new Lanes(); // for callers that pass no lanes: all are undeclared

/** Return the JSON the page put in <script type="application/json" id=...>. */
export function readConfig(id = "page-config") {
  return JSON.parse(document.getElementById(id).textContent);
}

/** Create an element: el("li", {className, text, data: {seq: 1}, attrs: {title}}, ...children). */
export function el(tag, options = {}, ...children) {
  const node = document.createElement(tag);
  if (options.className) node.className = options.className;
  if (options.text !== undefined && options.text !== null) node.textContent = String(options.text);
  for (const [key, value] of Object.entries(options.data || {})) node.dataset[key] = String(value);
  for (const [key, value] of Object.entries(options.attrs || {})) node.setAttribute(key, String(value));
  for (const child of children) if (child) node.append(child);
  return node;
}

/** Milliseconds since the epoch for an event `ts` (keeps the microseconds as a fraction). */
export function parseTs(ts) {
  const match = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(ts);
  if (!match) return Date.parse(ts);
  const micros = (match[2] || "0").padEnd(6, "0").slice(0, 6);
  return Date.parse(match[1] + match[3]) + Number(micros) / 1000;
}

const pad = (n, width = 2) => String(n).padStart(width, "0");

/** "14:03:07.123" in the viewer's time zone. */
export function formatClock(ms) {
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** "1:02.345" for a span of milliseconds. */
export function formatSpan(ms) {
  const total = Math.max(0, ms);
  const minutes = Math.floor(total / 60000);
  const seconds = (total % 60000) / 1000;
  return `${minutes}:${seconds.toFixed(3).padStart(6, "0")}`;
}

/** How long something ran, in the server's words (durations.py): "4.2 s", "3 min 5 s", "2 h 1 min". */
export function formatDuration(ms) {
  const seconds = Math.max(0, ms) / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${Math.floor(seconds % 60)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

export function formatPct(pct) {
  return pct === null || pct === undefined ? "" : `${Math.round(pct * 100)}%`;
}

/** What the session status is after `event`, or null if the event does not change it. */
export function statusAfter(event) {
  if (event.t !== "session_event") return null;
  return event.phase === "started" ? "running" : event.phase;
}

export function setStatus(node, status) {
  if (!node || !status) return;
  node.dataset.status = status;
  node.textContent = status.charAt(0).toUpperCase() + status.slice(1);
}

/**
 * Is this the event that carries the Markdown report: the `result` of the workflow's report lane
 * (the config's `reportAgent`)? Never, when the workflow writes no report (null).
 */
export function isReport(event, reportAgent) {
  return Boolean(reportAgent) && event.t === "agent_event" && event.agent === reportAgent
    && event.phase === "result";
}

/** One row of an event list: time, agent, phase, message; it carries `data-seq`. */
export function eventRow(event, lanes = UNDECLARED) {
  const ms = parseTs(event.ts);
  const who = event.agent || "session";
  const row = el("li", {
    className: `event phase-${event.phase}${event.phase === "error" || event.phase === "failed" ? " is-error" : ""}`,
    data: { seq: event.seq, agent: who, phase: event.phase },
  },
  el("span", { className: "ev-seq", text: `#${event.seq}` }),
  el("time", { className: "ev-time", text: formatClock(ms), attrs: { datetime: event.ts } }),
  el("span", {
    className: `ev-agent agent-${cssName(who)}${event.agent ? "" : " no-agent"}`,
    text: event.agent ? lanes.label(event.agent) : who,
  }),
  el("span", { className: "ev-phase", text: event.phase }),
  el("span", { className: "ev-msg", text: event.msg, attrs: { title: event.msg } }));
  if (event.pct !== null && event.pct !== undefined) {
    row.append(el("span", { className: "ev-pct", text: formatPct(event.pct) }));
  }
  if (event.agent) lanes.paint(row, event.agent);
  return row;
}

/** A class-name-safe form of an agent name (the name itself is shown with textContent). */
export function cssName(name) {
  return String(name).toLowerCase().replace(/[^a-z0-9_-]/g, "_").slice(0, 40);
}

/**
 * The ordered, de-duplicated events of one session. `accept` says what to do with an incoming
 * event: "new" (the next seq), "old" (already seen: drop it) or "gap" (events are missing).
 */
export class EventLog {
  constructor() {
    this.events = [];
    this.lastSeq = 0;
  }

  accept(event) {
    if (!Number.isInteger(event.seq) || event.seq <= this.lastSeq) return "old";
    if (event.seq > this.lastSeq + 1) return "gap";
    return "new";
  }

  push(event) {
    this.events.push(event);
    this.lastSeq = event.seq;
  }

  get length() {
    return this.events.length;
  }

  /** Index of the event with `seq` (events are in seq order), or -1. */
  indexOfSeq(seq) {
    let lo = 0;
    let hi = this.events.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = this.events[mid].seq;
      if (s === seq) return mid;
      if (s < seq) lo = mid + 1; else hi = mid - 1;
    }
    return -1;
  }
}

/**
 * Fetch a session's events after `after` from the JSON API, page by page; `onPage(events, body)`
 * gets each page in order and returns false to fetch no more. Return the last body.
 */
export async function fetchEvents(url, after, onPage, { limit = 1000, signal } = {}) {
  let cursor = after;
  for (;;) {
    const pageUrl = new URL(url, window.location.href);
    pageUrl.searchParams.set("after", String(cursor));
    pageUrl.searchParams.set("limit", String(limit));
    const response = await fetch(pageUrl, { credentials: "same-origin", signal, headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(`events: HTTP ${response.status}`);
    const body = await response.json();
    if (body.events.length) cursor = body.events[body.events.length - 1].seq;
    const more = await onPage(body.events, body);
    if (more === false || !body.has_more || !body.events.length) return body;
  }
}

/**
 * Show the server's rendering of the report (a fragment that nh3 sanitised). It is parsed by an
 * inert DOMParser (no scripts run, nothing loads) and its nodes are moved into `container`.
 */
export async function showReport(container, reportUrl, seq) {
  const url = new URL(reportUrl, window.location.href);
  if (seq) url.searchParams.set("seq", String(seq));
  const response = await fetch(url, { credentials: "same-origin" });
  if (!response.ok) return false;
  const doc = new DOMParser().parseFromString(await response.text(), "text/html");
  container.replaceChildren(...Array.from(doc.body.childNodes, (node) => document.adoptNode(node)));
  container.dataset.state = "shown";
  container.dataset.reportSeq = String(seq || "");
  return true;
}

