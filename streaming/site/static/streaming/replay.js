// The replay: the stored timeline played back with its real relative timing. Events load in
// pages into a `Recording` (never all into the DOM): the list renders only the rows in view
// (eventlist.js), the lanes view draws one bar per run of a phase (gantt.js), the playhead moves
// as player.js says. `#seq=N` deep-links the playhead.
import { VirtualList } from "./eventlist.js";
import { Gantt } from "./gantt.js";
import { Lanes } from "./lanes.js";
import { Player } from "./player.js";
import { Recording, upperBound } from "./recording.js";
import {
  DecisionList, TERMINAL, el, fetchEvents, formatSpan, readConfig, renderDetail, setStatus,
  showReport,
} from "./timeline.js";

const PAGE = 5000; // the events API's cap
const POLL_MS = 2000; // a session still running: look for more events this often

const config = readConfig();
const $ = (id) => document.getElementById(id);
const ui = {
  player: $("player"), play: $("play-button"), prev: $("prev-button"), next: $("next-button"),
  speed: $("speed"), skipIdle: $("skip-idle"), clock: $("clock"), position: $("position"),
  scrubber: $("scrubber"), loadState: $("load-state"), status: $("session-status"),
  viewport: $("replay-list"), list: $("events"), count: $("event-count"),
  agent: $("filter-agent"), phase: $("filter-phase"), search: $("filter-search"),
  detail: $("event-detail"), report: $("report"), hint: $("list-hint"), lanes: $("gantt-rows"),
};
// What the report card shows before the playhead reaches a report: the page's own text.
const waitingForReport = Array.from(ui.report.childNodes, (node) => node.cloneNode(true));
const lanes = new Lanes(config.lanes);
const recording = new Recording(config.reportAgent);
const state = {
  loaded: false, status: config.status, selectedSeq: null, pendingSeq: null,
  shownReport: -1, shownDecisions: -1,
};
const decisions = new DecisionList($("decisions"), { lanes });
const gantt = new Gantt({ axis: $("gantt-axis"), rows: ui.lanes, playhead: $("gantt-playhead"), lanes });
const list = new VirtualList(ui.viewport, ui.list, { itemAt: (k) => recording.listed(k), lanes });
const player = new Player(recording, {
  speed: () => Number(ui.speed.value) || 1,
  skipIdle: () => ui.skipIdle.checked,
  finished: () => state.loaded && TERMINAL.has(state.status),
  onMove: () => render(),
  onPlaying: (playing) => {
    ui.play.textContent = playing ? "Pause" : "Play";
    ui.play.setAttribute("aria-pressed", String(playing));
    ui.player.dataset.playing = String(playing);
    if (!playing) writeHash();
  },
});

// -- loading ---------------------------------------------------------------------------------

function addPage(page) {
  const news = recording.add(page);
  for (const agent of news.agents) {
    const option = el("option", { text: lanes.label(agent), data: { agent }, attrs: { value: agent } });
    lanes.place(ui.agent, option, agent);
  }
  if (news.status && TERMINAL.has(news.status)) updateStatus(news.status);
}

function updateStatus(status) {
  if (state.status === status) return;
  state.status = status;
  setStatus(ui.status, status);
}

async function load() {
  const expected = Math.max(config.lastSeq, 1);
  await fetchEvents(config.eventsUrl, 0, (page, body) => {
    addPage(page);
    const of = Math.max(body.last_seq, expected).toLocaleString();
    ui.loadState.textContent = `Loaded ${recording.lastSeq.toLocaleString()} of ${of} events…`;
    if (TERMINAL.has(body.status)) updateStatus(body.status);
    onGrowth();
  }, { limit: PAGE });
  state.loaded = true;
  ui.player.dataset.state = "ready";
  ui.loadState.textContent = `${recording.length.toLocaleString()} events, ${formatSpan(recording.total)} long.`;
  onGrowth();
  if (!TERMINAL.has(state.status)) setTimeout(poll, POLL_MS);
}

async function poll() {
  try {
    await fetchEvents(config.eventsUrl, recording.lastSeq, (page) => {
      addPage(page);
      if (page.length) onGrowth();
    }, { limit: PAGE });
  } catch (error) {
    console.warn("replay poll", error);
  }
  if (!TERMINAL.has(state.status)) setTimeout(poll, POLL_MS);
}

function onGrowth() {
  ui.scrubber.max = String(recording.length);
  ui.play.disabled = recording.length === 0;
  gantt.draw(recording);
  resolvePendingSeq();
  render();
}

// -- moving the playhead ---------------------------------------------------------------------

/** Move the playhead to event `index`; a move by the user leaves a deep link to it. */
function seek(index, { fromUser = true } = {}) {
  list.follow = true;
  player.seek(index);
  if (fromUser) writeHash();
}

function step(direction, count = 1) {
  player.pause();
  seek(recording.step(player.pos, direction, count));
}

function play() {
  if (ui.speed.value === "instant") {
    seek(recording.length - 1);
    return;
  }
  player.play();
}

// -- deep links ------------------------------------------------------------------------------

function writeHash() {
  const seq = player.pos >= 0 ? recording.events[player.pos].seq : 0;
  history.replaceState(null, "", `${location.pathname}${location.search}#seq=${seq}`);
}

function readHash() {
  const match = /^#seq=(\d+)$/.exec(location.hash);
  return match ? Number(match[1]) : null;
}

function resolvePendingSeq() {
  const seq = state.pendingSeq;
  if (seq === null) return;
  if (seq === 0) {
    state.pendingSeq = null;
    seek(-1, { fromUser: false });
    return;
  }
  const index = recording.indexOfSeq(seq);
  if (index >= 0) {
    state.pendingSeq = null;
    player.pause();
    seek(index, { fromUser: false });
    select(recording.events[index]);
  } else if (state.loaded && seq > recording.lastSeq) {
    state.pendingSeq = null;
  }
}

function onHash() {
  state.pendingSeq = readHash();
  resolvePendingSeq();
}

// -- drawing ---------------------------------------------------------------------------------

function render() {
  const { pos, clock } = player;
  const seq = pos >= 0 ? recording.events[pos].seq : 0;
  ui.scrubber.value = String(pos + 1);
  ui.clock.textContent = `${formatSpan(clock)} / ${formatSpan(recording.total)}`;
  ui.position.textContent = `#${seq} of ${recording.lastSeq}`;
  ui.player.dataset.playhead = String(seq);
  drawList();
  gantt.moveTo(recording, pos, clock);
  drawDecisions();
  drawReport();
}

function drawList({ reset = false } = {}) {
  const count = recording.listedUpTo(player.pos);
  list.setCount(count, { reset });
  list.mark("current", player.pos >= 0 ? recording.events[player.pos].seq : null);
  list.mark("selected", state.selectedSeq);
  list.draw();
  ui.count.textContent = `${count.toLocaleString()}${recording.matches === null ? "" : " matching"}`;
  ui.hint.hidden = count > 0;
}

function drawDecisions() {
  const upTo = upperBound(recording.decisionIndices, player.pos);
  if (upTo === state.shownDecisions) return;
  state.shownDecisions = upTo;
  decisions.reset();
  for (const i of recording.decisionIndices.slice(Math.max(0, upTo - 50), upTo)) {
    decisions.add(recording.events[i]);
  }
}

function drawReport() {
  const k = upperBound(recording.reportIndices, player.pos) - 1;
  const index = k >= 0 ? recording.reportIndices[k] : -1;
  if (index === state.shownReport) return;
  state.shownReport = index;
  if (index < 0) {
    ui.report.dataset.state = "empty";
    ui.report.replaceChildren(...waitingForReport.map((node) => node.cloneNode(true)));
    return;
  }
  showReport(ui.report, config.reportUrl, recording.events[index].seq)
    .catch((error) => console.warn("report", error));
}

function select(event) {
  state.selectedSeq = event.seq;
  renderDetail(ui.detail, event, recording.t0 ?? undefined);
  list.mark("selected", event.seq);
}

function refilter() {
  recording.setFilter({ agent: ui.agent.value, phase: ui.phase.value, text: ui.search.value });
  list.follow = true;
  drawList({ reset: true });
}

// -- wiring ----------------------------------------------------------------------------------

function typing(target) {
  const tag = target.tagName;
  return tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable
    || (tag === "INPUT" && target.type !== "range" && target.type !== "checkbox");
}

function onKey(event) {
  if (event.altKey || event.ctrlKey || event.metaKey || typing(event.target)) return;
  if (event.key === " " || event.code === "Space") {
    if (event.target.tagName === "BUTTON") return; // the button's own click does it
    event.preventDefault();
    if (player.playing) player.pause(); else play();
  } else if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
    event.preventDefault();
    step(event.key === "ArrowRight" ? 1 : -1, event.shiftKey ? 10 : 1);
  } else if (event.key === "Home" || event.key === "End") {
    event.preventDefault();
    player.pause();
    seek(event.key === "Home" ? -1 : recording.length - 1);
  }
}

function wire() {
  ui.play.addEventListener("click", () => (player.playing ? player.pause() : play()));
  ui.prev.addEventListener("click", () => step(-1));
  ui.next.addEventListener("click", () => step(1));
  ui.speed.addEventListener("change", () => {
    if (ui.speed.value !== "instant") return;
    player.pause();
    seek(recording.length - 1);
  });
  ui.scrubber.addEventListener("input", () => {
    player.pause();
    seek(Number(ui.scrubber.value) - 1);
  });
  ui.list.addEventListener("click", (event) => {
    const row = event.target.closest("[data-seq]");
    if (row) select(recording.events[recording.indexOfSeq(Number(row.dataset.seq))]);
  });
  ui.lanes.addEventListener("click", (event) => {
    const bar = event.target.closest(".gantt-bar");
    if (!bar) return;
    player.pause();
    const index = Number(bar.dataset.index);
    seek(index);
    select(recording.events[index]);
  });
  for (const input of [ui.agent, ui.phase]) input.addEventListener("change", refilter);
  let debounce = null;
  ui.search.addEventListener("input", () => {
    clearTimeout(debounce);
    debounce = setTimeout(refilter, 150);
  });
  document.addEventListener("keydown", onKey);
  window.addEventListener("hashchange", onHash);
  window.addEventListener("resize", () => list.draw());
}

wire();
state.pendingSeq = readHash();
load().catch((error) => {
  ui.loadState.textContent = `Could not load the events (${error.message}).`;
  ui.player.dataset.state = "error";
});
