// The replay: the stored timeline played back with its real relative timing. Events load in
// pages into a `Recording` (never all into the DOM): the list renders only the rows in view
// (eventlist.js), the lanes view draws one bar per run of a phase (gantt.js), the playhead moves
// as player.js says, the lanes zoom and pan (zoom.js). `#seq=N` deep-links the playhead.
import { DecisionList, DetailCard } from "./cards.js";
import { DeepLink } from "./deeplink.js";
import { ListHint, VirtualList } from "./eventlist.js";
import { Gantt } from "./gantt.js";
import { onKey } from "./keys.js";
import { Lanes } from "./lanes.js";
import { Player } from "./player.js";
import { Recording, upperBound } from "./recording.js";
import { ReportCard } from "./report.js";
import { wireShare } from "./share.js";
import { TERMINAL, el, fetchEvents, formatSpan, readConfig, setStatus } from "./timeline.js";
import { Zoom } from "./zoom.js";

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
  hint: $("list-hint"), lanes: $("gantt-rows"), gantt: $("gantt"),
};
const hint = new ListHint(ui.hint);
const lanes = new Lanes(config.lanes);
const recording = new Recording(config.reportAgent);
const state = {
  loaded: false, status: config.status, selectedSeq: null, shownReport: -1, shownDecisions: -1,
};
const decisions = new DecisionList($("decisions"), { lanes });
const gantt = new Gantt({
  axis: $("gantt-axis"), rows: ui.lanes, playhead: $("gantt-playhead"), note: $("gantt-note"), lanes,
});
const zoom = new Zoom({
  view: ui.gantt, level: $("zoom-level"), onChange: (z) => drawLanes(z),
  buttons: { zoomIn: $("zoom-in"), zoomOut: $("zoom-out"), fit: $("zoom-fit") },
});
const list = new VirtualList(ui.viewport, ui.list, { itemAt: (k) => recording.listed(k), lanes });
const detail = new DetailCard({ container: $("event-detail"), copyButton: $("detail-copy"), copied: $("detail-copied") });
const report = new ReportCard({
  node: $("report"), actions: $("report-actions"), copyButton: $("report-copy"),
  download: $("report-download"), copied: $("report-copied"), reportUrl: config.reportUrl,
  markdownUrl: config.reportMarkdownUrl, label: config.reportLabel,
});
const player = new Player(recording, {
  speed: () => Number(ui.speed.value) || 1,
  skipIdle: () => ui.skipIdle.checked,
  finished: () => state.loaded && TERMINAL.has(state.status),
  onMove: () => render(),
  onPlaying: (playing) => {
    ui.play.textContent = playing ? "Pause" : "Play";
    ui.play.setAttribute("aria-pressed", String(playing));
    ui.player.dataset.playing = String(playing);
    if (!playing) link.write(player.pos);
  },
});
const link = new DeepLink({
  recording,
  loaded: () => state.loaded,
  goTo: (index) => {
    if (index < 0) {
      seek(-1, { fromUser: false });
      return;
    }
    player.pause();
    seek(index, { fromUser: false });
    select(recording.events[index]);
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
  drawLanes();
  link.resolve();
  render();
}

function drawLanes(z = zoom.zoom) {
  gantt.draw(recording, z);
  gantt.moveTo(recording, player.pos, player.clock);
}

// -- moving the playhead ---------------------------------------------------------------------

/** Move the playhead to event `index`; a move by the user leaves a deep link to it. */
function seek(index, { fromUser = true } = {}) {
  list.follow = true;
  player.seek(index);
  if (fromUser) link.write(player.pos);
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

// -- drawing ---------------------------------------------------------------------------------

function render() {
  const { pos, clock } = player;
  const seq = pos >= 0 ? recording.events[pos].seq : 0;
  ui.scrubber.value = String(pos + 1);
  ui.clock.textContent = `${formatSpan(clock)} / ${formatSpan(recording.total)}`;
  ui.position.textContent = `#${seq} of ${recording.lastSeq}`;
  ui.player.dataset.playhead = String(seq);
  drawList();
  const fraction = gantt.moveTo(recording, pos, clock);
  if (player.playing) zoom.follow(fraction);
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
  hint.draw(count, recording.matches === null ? null : recording.matchesAfter(player.pos));
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
    report.clear();
    return;
  }
  report.show(recording.events[index].seq).catch((error) => console.warn("report", error));
}

function select(event) {
  state.selectedSeq = event.seq;
  detail.show(event, recording.t0 ?? undefined);
  list.mark("selected", event.seq);
}

function refilter() {
  recording.setFilter({ agent: ui.agent.value, phase: ui.phase.value, text: ui.search.value });
  list.follow = true;
  drawList({ reset: true });
}

// -- wiring ----------------------------------------------------------------------------------

function togglePlay(event) {
  if (event.target.tagName === "BUTTON") return false; // the button's own click does it
  if (player.playing) player.pause(); else play();
  return true;
}

function wireKeys() {
  onKey(" ", togglePlay);
  for (const key of ["ArrowRight", "ArrowLeft"]) {
    onKey(key, (event) => step(key === "ArrowRight" ? 1 : -1, event.shiftKey ? 10 : 1));
  }
  onKey("Home", () => { player.pause(); seek(-1); });
  onKey("End", () => { player.pause(); seek(recording.length - 1); });
  for (const key of ["+", "="]) onKey(key, () => zoom.by(1));
  onKey("-", () => zoom.by(-1));
  onKey("0", () => zoom.set(1));
  const sharing = wireShare(config);
  if (sharing) onKey("s", () => { sharing.share(); });
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
  wireKeys();
  window.addEventListener("resize", () => {
    list.draw();
    drawLanes();
  });
}

wire();
load().catch((error) => {
  ui.loadState.textContent = `Could not load the events (${error.message}).`;
  ui.player.dataset.state = "error";
});
