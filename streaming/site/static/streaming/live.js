// The live session page: load the stored history in pages, then follow the session over the
// WebSocket (docs/protocol.md). Every event is applied once, in seq order: older seqs are dropped,
// a jump is filled from the events API first. A dropped socket reconnects with backoff from the
// last seq; close codes 4404 (no access) and 4400 (refused cursor) stop it. The list keeps every
// event: all rows in the DOM up to FULL_ROWS, past that the rows in view (eventlist.js).
import { VirtualList } from "./eventlist.js";
import { Lanes } from "./lanes.js";
import {
  DecisionList, EventLog, LaneBoard, TERMINAL, fetchEvents, isReport, readConfig, setStatus,
  showReport, statusAfter,
} from "./timeline.js";

const FULL_ROWS = 5000; // up to this many events, every row is in the DOM
const PING_EVERY_MS = 20000;
const SILENT_LIMIT_MS = 50000; // no frame at all for this long: the socket is presumed dead
const BACKOFF_MS = [500, 1000, 2000, 4000, 8000, 15000];

const config = readConfig();
const lanes = new Lanes(config.lanes);
const log = new EventLog();
const list = new VirtualList(document.getElementById("events-viewport"), document.getElementById("events"), {
  itemAt: (k) => log.events[k], lanes, fullUpTo: FULL_ROWS,
});
const countNode = document.getElementById("event-count");
const statusNode = document.getElementById("session-status");
const stateNode = document.getElementById("connection-state");
const reportNode = document.getElementById("report");
const cancelButton = document.getElementById("cancel-button");
const board = new LaneBoard(document.getElementById("lanes"), lanes);
const decisions = new DecisionList(document.getElementById("decisions"), { lanes });

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
  if (next) updateStatus(next);
  if (isReport(event, config.reportAgent)) {
    pendingReportSeq = event.seq;
    if (!history) loadReport();
  }
}

function updateStatus(next) {
  setStatus(statusNode, next);
  if (!TERMINAL.has(next)) return;
  if (cancelButton) cancelButton.disabled = true;
  const waiting = document.querySelector("#lanes [data-placeholder]");
  if (waiting) waiting.textContent = "No agent ran in this session.";
}

async function loadReport() {
  if (!pendingReportSeq) return;
  const seq = pendingReportSeq;
  try {
    await showReport(reportNode, config.reportUrl, seq);
  } catch (error) {
    console.warn("report", error);
  }
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
    updateStatus(frame.status);
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
    cancelButton.disabled = false;
    cancelButton.textContent = "Cancel";
    console.warn("cancel", error);
  }
}

async function start() {
  if (cancelButton) cancelButton.addEventListener("click", cancel);
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
