// The live session page: load the stored history in pages, then follow the session over the
// WebSocket (PROTOCOL.md). Every event is applied once, in seq order: older seqs are dropped,
// a jump is filled from the events API first. A dropped socket reconnects with backoff from the
// last seq; close code 4404 (no access) stops it.
import {
  DecisionList, EventLog, LaneBoard, TERMINAL, eventRow, fetchEvents, isReport, readConfig,
  setStatus, showReport, statusAfter,
} from "./timeline.js";

const MAX_ROWS = 2000; // rows kept in the DOM; older ones stay in the replay
const PING_EVERY_MS = 20000;
const SILENT_LIMIT_MS = 50000; // no frame at all for this long: the socket is presumed dead
const BACKOFF_MS = [500, 1000, 2000, 4000, 8000, 15000];

const config = readConfig();
const log = new EventLog();
const list = document.getElementById("events");
const countNode = document.getElementById("event-count");
const trimmedNode = document.getElementById("events-trimmed");
const statusNode = document.getElementById("session-status");
const stateNode = document.getElementById("connection-state");
const reportNode = document.getElementById("report");
const cancelButton = document.getElementById("cancel-button");
const lanes = new LaneBoard(document.getElementById("lanes"));
const decisions = new DecisionList(document.getElementById("decisions"));

let socket = null;
let attempts = 0;
let stopped = false; // no more reconnects: ended or no access
let reconnectTimer = null;
let pingTimer = null;
let lastFrameAt = 0;
let trimmed = 0;
let pendingReportSeq = 0;
let chain = Promise.resolve(); // applies frames one after another, gap fills included

function setState(state, text) {
  stateNode.dataset.state = state;
  stateNode.textContent = text;
}

function follow() {
  return list.scrollHeight - list.scrollTop - list.clientHeight < 40;
}

function apply(event, { history = false } = {}) {
  log.push(event);
  const atBottom = follow();
  list.append(eventRow(event));
  if (list.children.length > MAX_ROWS) {
    list.firstElementChild.remove();
    trimmed += 1;
    trimmedNode.hidden = false;
    trimmedNode.textContent = `${trimmed} earlier events are in the replay.`;
  }
  if (atBottom) list.scrollTop = list.scrollHeight;
  countNode.textContent = String(log.lastSeq);
  lanes.update(event);
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

/** Fetch events after the last seq from the API (until `upTo`, or to the end). */
async function fill(upTo = Infinity, history = false) {
  await fetchEvents(config.eventsUrl, log.lastSeq, (events) => {
    for (const event of events) {
      if (event.seq > upTo) return;
      if (log.accept(event) === "new") apply(event, { history });
    }
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
    list.scrollTop = list.scrollHeight;
    await loadReport();
  } catch (error) {
    console.warn("history", error);
  }
  connect();
}

start();
