// The live session page: load the stored history in pages, then follow the session over the
// WebSocket (docs/protocol.md). Every event is applied once, in seq order: older seqs are dropped,
// a jump is filled from the events API first. A dropped socket reconnects with backoff from the
// last seq; close codes 4404 (no access) and 4400 (refused cursor) stop it. The list keeps every
// event: all rows in the DOM up to FULL_ROWS, past that the rows in view (eventlist.js). Around
// the list, the page is a dashboard of the run (board.js, dashboard.js); a row clicked shows its
// details as on the replay (cards.js).
import { LaneBoard } from "./board.js";
import { DecisionList, DetailCard } from "./cards.js";
import { Dashboard } from "./dashboard.js";
import { VirtualList } from "./eventlist.js";
import { onKey } from "./keys.js";
import { Lanes } from "./lanes.js";
import { ReportCard } from "./report.js";
import { wireShare } from "./share.js";
import {
  EventLog, TERMINAL, fetchEvents, isReport, parseTs, readConfig, setStatus, statusAfter,
} from "./timeline.js";

const FULL_ROWS = 5000; // up to this many events, every row is in the DOM
const PING_EVERY_MS = 20000;
const SILENT_LIMIT_MS = 50000; // no frame at all for this long: the socket is presumed dead
const BACKOFF_MS = [500, 1000, 2000, 4000, 8000, 15000];

const config = readConfig();
const $ = (id) => document.getElementById(id);
const lanes = new Lanes(config.lanes);
const log = new EventLog();
const list = new VirtualList($("events-viewport"), $("events"), {
  itemAt: (k) => log.events[k], lanes, fullUpTo: FULL_ROWS,
});
const countNode = $("event-count");
const statusNode = $("session-status");
const stateNode = $("connection-state");
const cancelButton = $("cancel-button");
const board = new LaneBoard($("lanes"), lanes);
const decisions = new DecisionList($("decisions"), { lanes });
const dashboard = new Dashboard({
  board, progress: $("overall-progress"), progressText: $("overall-text"), elapsed: $("elapsed"),
  quiet: $("quiet"), banner: $("session-banner"), status: config.status,
});
const detail = new DetailCard({ container: $("event-detail"), copyButton: $("detail-copy"), copied: $("detail-copied") });
const report = new ReportCard({
  node: $("report"), actions: $("report-actions"), copyButton: $("report-copy"),
  download: $("report-download"), copied: $("report-copied"), reportUrl: config.reportUrl,
  markdownUrl: config.reportMarkdownUrl, label: config.reportLabel,
});
let status = config.status;
let selectedSeq = null;

let socket = null;
let attempts = 0;
let stopped = false; // no more reconnects: ended, no access or a refused cursor
let reconnectTimer = null;
let pingTimer = null;
let lastFrameAt = 0;
let lastError = null; // the last `error` frame: its detail is shown if the server closes on it
let pendingReportSeq = 0;
let chain = Promise.resolve(); // applies frames one after another, gap fills included

function setState(state, text) {
  stateNode.dataset.state = state;
  stateNode.textContent = text;
}

function apply(event, { history = false } = {}) {
  log.push(event);
  list.setCount(log.length);
  list.schedule();
  countNode.textContent = String(log.lastSeq);
  board.update(event);
  decisions.add(event);
  const next = statusAfter(event);
  dashboard.update(event, next || status);
  if (next) updateStatus(next);
  if (isReport(event, config.reportAgent)) {
    pendingReportSeq = event.seq;
    if (!history) loadReport();
  }
}

function updateStatus(next) {
  status = next;
  setStatus(statusNode, next);
  dashboard.setStatus(next);
  if (!TERMINAL.has(next)) return;
  if (cancelButton) { // nothing left to cancel: no "Cancelling…" either
    cancelButton.disabled = true;
    cancelButton.textContent = "Cancel";
    cancelButton.title = `The session has ${next === "completed" ? "completed" : next === "failed" ? "failed" : "been cancelled"}`;
  }
  const waiting = document.querySelector("#lanes [data-placeholder]");
  if (waiting) waiting.textContent = "No agent ran in this session.";
  if (!pendingReportSeq) report.ended(next);
}

async function loadReport() {
  if (!pendingReportSeq) return;
  try {
    await report.show(pendingReportSeq);
  } catch (error) {
    console.warn("report", error);
  }
}

/** Show the details of event `seq` in the card beside the list, and mark its row. */
function select(seq) {
  const index = log.indexOfSeq(seq);
  if (index < 0) return;
  selectedSeq = seq;
  const first = log.events[0];
  detail.show(log.events[index], first ? parseTs(first.ts) : undefined);
  list.mark("selected", seq);
}

/** Apply events that arrived in a frame, filling any gap from the API first. */
async function receive(events) {
  for (const event of events) {
    const verdict = log.accept(event);
    if (verdict === "old") continue;
    if (verdict === "gap") await fill(event.seq - 1);
    if (log.accept(event) === "new") apply(event);
  }
}

/** Fetch events after the last seq from the API, until `upTo` (no page beyond it) or the end. */
async function fill(upTo = Infinity, history = false) {
  await fetchEvents(config.eventsUrl, log.lastSeq, (events) => {
    for (const event of events) {
      if (event.seq > upTo) return false;
      if (log.accept(event) === "new") apply(event, { history });
    }
    return log.lastSeq < upTo;
  }, { limit: history ? 1000 : 500 });
}

function enqueue(task) {
  chain = chain.then(task).catch((error) => console.warn("live", error));
  return chain;
}

function connect() {
  clearTimeout(reconnectTimer);
  if (stopped) return;
  const url = new URL(config.wsUrl);
  url.searchParams.set("after", String(log.lastSeq));
  setState("connecting", attempts ? `Reconnecting (attempt ${attempts + 1})…` : "Connecting…");
  const ws = new WebSocket(url);
  socket = ws;
  ws.addEventListener("open", () => {
    attempts = 0;
    lastFrameAt = Date.now();
    setState("live", "Live");
    clearInterval(pingTimer);
    pingTimer = setInterval(() => keepAlive(ws), PING_EVERY_MS);
  });
  ws.addEventListener("message", (message) => {
    lastFrameAt = Date.now();
    let frame;
    try {
      frame = JSON.parse(message.data);
    } catch {
      return;
    }
    if (frame.type === "error") lastError = frame; // now: a close on it may come before handle()
    enqueue(() => handle(frame, ws));
  });
  ws.addEventListener("close", (close) => {
    clearInterval(pingTimer);
    if (socket !== ws) return;
    socket = null;
    if (close.code === 4404) {
      stopped = true;
      setState("denied", "No access to this session");
      return;
    }
    if (close.code === 4400) { // the server refused our cursor: the same one would fail again
      stopped = true;
      setState("error", `Stopped: ${lastError?.detail || close.reason || "the server refused the connection"}`);
      return;
    }
    if (stopped) return;
    scheduleReconnect();
  });
}

function keepAlive(ws) {
  if (ws.readyState !== WebSocket.OPEN) return;
  if (Date.now() - lastFrameAt > SILENT_LIMIT_MS) {
    ws.close(4000, "silent");
    return;
  }
  ws.send(JSON.stringify({ type: "ping" }));
}

function scheduleReconnect() {
  const base = BACKOFF_MS[Math.min(attempts, BACKOFF_MS.length - 1)];
  const delay = Math.round(base * (0.5 + Math.random() / 2));
  attempts += 1;
  setState("reconnecting", `Disconnected; reconnecting in ${(delay / 1000).toFixed(1)} s`);
  reconnectTimer = setTimeout(connect, delay);
}

async function handle(frame, ws) {
  if (Number.isInteger(frame.seq)) {
    await receive([frame]);
  } else if (frame.type === "events" && Array.isArray(frame.events)) {
    await receive(frame.events);
  } else if (frame.type === "end") {
    if (frame.last_seq > log.lastSeq) await fill(frame.last_seq);
    if (frame.status !== status) updateStatus(frame.status);
    stopped = true;
    setState("ended", `Session ${frame.status}`);
    if (ws.readyState === WebSocket.OPEN) ws.close(1000, "ended");
  } else if (frame.type === "error") {
    console.warn("server error frame", frame.code, frame.detail);
  }
}

async function cancel() {
  cancelButton.disabled = true;
  cancelButton.textContent = "Cancelling…";
  try {
    const response = await fetch(config.cancelUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": config.csrfToken, Accept: "application/json" },
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
  } catch (error) {
    cancelButton.disabled = TERMINAL.has(status);
    cancelButton.textContent = "Cancel";
    console.warn("cancel", error);
  }
}

function step(direction) {
  if (!log.length) return;
  const index = selectedSeq === null ? (direction > 0 ? 0 : log.length - 1)
    : Math.max(0, Math.min(log.length - 1, log.indexOfSeq(selectedSeq) + direction));
  list.follow = false;
  list.scrollTo(index);
  select(log.events[index].seq);
}

async function start() {
  if (cancelButton) cancelButton.addEventListener("click", cancel);
  $("events").addEventListener("click", (event) => {
    const row = event.target.closest("[data-seq]");
    if (row) select(Number(row.dataset.seq));
  });
  const sharing = wireShare(config);
  if (sharing) onKey("s", () => { sharing.share(); });
  onKey("j", () => step(1));
  onKey("k", () => step(-1));
  window.addEventListener("online", () => {
    if (!socket && !stopped) connect();
  });
  setState("loading", "Loading history…");
  try {
    await enqueue(() => fill(Infinity, true));
    await loadReport();
  } catch (error) {
    console.warn("history", error);
  }
  connect();
}

start();
