// The replay: the stored timeline played back with its real relative timing. Events load in
// pages into a plain array (never all into the DOM): the list renders only the rows in view, the
// lanes view draws one bar per run of a phase. `#seq=N` deep-links the playhead.
import {
  DecisionList, EventLog, TERMINAL, el, eventRow, fetchEvents, formatPct, formatSpan, isReport,
  parseTs, readConfig, renderDetail, setStatus, showReport, statusAfter, cssName,
} from "./timeline.js";

const PAGE = 5000;
const ROW_HEIGHT = 30; // px, fixed by .virtual-rows .event in app.css
const IDLE_GAP_MS = 1000; // with "skip idle gaps", a silence longer than this is cut short
const IDLE_LEAD_MS = 150;
const POLL_MS = 2000;
const MIN_BAR = 0.0005; // lanes: runs thinner than this share of the axis are not drawn

const config = readConfig();
const log = new EventLog();
const events = log.events;
const times = []; // ms since the first event
const $ = (id) => document.getElementById(id);
const ui = {
  player: $("player"), play: $("play-button"), prev: $("prev-button"), next: $("next-button"),
  speed: $("speed"), skipIdle: $("skip-idle"), clock: $("clock"), position: $("position"),
  scrubber: $("scrubber"), loadState: $("load-state"), status: $("session-status"),
  axis: $("gantt-axis"), rows: $("gantt-rows"), playhead: $("gantt-playhead"),
  viewport: $("replay-list"), list: $("events"), count: $("event-count"),
  agent: $("filter-agent"), phase: $("filter-phase"), search: $("filter-search"),
  detail: $("event-detail"), report: $("report"), hint: $("list-hint"),
};
const spacer = ui.list.parentElement;
const decisions = new DecisionList($("decisions"));

const state = {
  pos: -1, clock: 0, playing: false, lastFrame: 0, loaded: false, status: config.status,
  matches: null, // indices of events that pass the filters, or null when no filter is set
  selectedSeq: null, pendingSeq: null, follow: true, shownReport: -1, shownDecisions: -1,
};
const agents = new Map(); // agent -> {indices: [], pctIndices: [], label, phase, pct}
const reportIndices = [];
const decisionIndices = [];
let t0 = null;

// -- data ------------------------------------------------------------------------------------

function upperBound(sorted, value) {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] <= value) lo = mid + 1; else hi = mid;
  }
  return lo;
}

function filters() {
  return { agent: ui.agent.value, phase: ui.phase.value, text: ui.search.value.trim().toLowerCase() };
}

function matches(event, f) {
  if (f.agent && (event.agent || "session") !== f.agent) return false;
  if (f.phase && event.phase !== f.phase) return false;
  return !f.text || event.msg.toLowerCase().includes(f.text);
}

function refilter() {
  const f = filters();
  if (!f.agent && !f.phase && !f.text) {
    state.matches = null;
  } else {
    state.matches = [];
    for (let i = 0; i < events.length; i += 1) if (matches(events[i], f)) state.matches.push(i);
  }
  state.follow = true;
  render(true);
}

function addEvents(page) {
  const f = filters();
  const filtering = state.matches !== null;
  for (const event of page) {
    if (log.accept(event) !== "new") continue;
    log.push(event);
    const i = events.length - 1;
    const ms = parseTs(event.ts);
    if (t0 === null) t0 = ms;
    times.push(ms - t0);
    if (filtering && matches(event, f)) state.matches.push(i);
    const who = event.agent || "session";
    if (event.t !== "session_event") {
      if (!agents.has(who)) addAgent(who);
      const info = agents.get(who);
      info.indices.push(i);
      if (event.pct !== null && event.pct !== undefined) info.pctIndices.push(i);
    } else if (!agents.has("session")) {
      ui.agent.append(el("option", { text: "session", attrs: { value: "session" } }));
      agents.set("session", null);
    }
    if (isReport(event, config.reportAgent)) reportIndices.push(i);
    if (event.phase === "decision") decisionIndices.push(i);
    const next = statusAfter(event);
    if (next && TERMINAL.has(next)) {
      state.status = next;
      setStatus(ui.status, next);
    }
  }
}

function addAgent(agent) {
  ui.agent.append(el("option", { text: agent, attrs: { value: agent } }));
  agents.set(agent, { indices: [], pctIndices: [], label: null, phase: null, pct: null });
}

async function load() {
  const expected = Math.max(config.lastSeq, 1);
  await fetchEvents(config.eventsUrl, 0, (page, body) => {
    addEvents(page);
    ui.loadState.textContent = `Loaded ${log.lastSeq.toLocaleString()} of ${Math.max(body.last_seq, expected).toLocaleString()} events…`;
    if (state.status !== body.status && TERMINAL.has(body.status)) {
      state.status = body.status;
      setStatus(ui.status, body.status);
    }
    onGrowth();
  }, { limit: PAGE });
  state.loaded = true;
  ui.player.dataset.state = "ready";
  ui.loadState.textContent = `${events.length.toLocaleString()} events, ${formatSpan(total())} long.`;
  onGrowth();
  if (!TERMINAL.has(state.status)) setTimeout(poll, POLL_MS);
}

async function poll() {
  try {
    await fetchEvents(config.eventsUrl, log.lastSeq, (page) => {
      addEvents(page);
      if (page.length) onGrowth();
    }, { limit: PAGE });
  } catch (error) {
    console.warn("replay poll", error);
  }
  if (!TERMINAL.has(state.status)) setTimeout(poll, POLL_MS);
}

function onGrowth() {
  ui.scrubber.max = String(events.length);
  ui.play.disabled = events.length === 0;
  drawLanes();
  resolvePendingSeq();
  render(true);
}

const total = () => (times.length ? times[times.length - 1] : 0);

// -- the playhead ----------------------------------------------------------------------------

function seek(index, { fromUser = true } = {}) {
  state.pos = Math.max(-1, Math.min(index, events.length - 1));
  state.clock = state.pos >= 0 ? times[state.pos] : 0;
  state.follow = true;
  if (fromUser) writeHash();
  render(true);
}

function step(direction, count = 1) {
  pause();
  let pos = state.pos;
  for (let n = 0; n < count; n += 1) {
    if (state.matches === null) {
      pos += direction;
    } else if (direction > 0) {
      const k = upperBound(state.matches, pos);
      if (k >= state.matches.length) break;
      pos = state.matches[k];
    } else {
      const k = upperBound(state.matches, pos - 1) - 1;
      pos = k >= 0 ? state.matches[k] : -1;
    }
  }
  seek(pos);
}

function play() {
  if (!events.length) return;
  if (ui.speed.value === "instant") {
    seek(events.length - 1);
    return;
  }
  if (state.pos >= events.length - 1 && state.loaded) seek(-1, { fromUser: false });
  state.playing = true;
  state.lastFrame = performance.now();
  ui.play.textContent = "Pause";
  ui.play.setAttribute("aria-pressed", "true");
  ui.player.dataset.playing = "true";
  requestAnimationFrame(tick);
}

function pause() {
  if (!state.playing) return;
  state.playing = false;
  ui.play.textContent = "Play";
  ui.play.setAttribute("aria-pressed", "false");
  ui.player.dataset.playing = "false";
  writeHash();
}

function tick(now) {
  if (!state.playing) return;
  const dt = now - state.lastFrame;
  state.lastFrame = now;
  state.clock += dt * Number(ui.speed.value || 1);
  const next = state.pos + 1;
  if (next < events.length && ui.skipIdle.checked && times[next] - state.clock > IDLE_GAP_MS) {
    state.clock = times[next] - IDLE_LEAD_MS;
  }
  let pos = state.pos;
  while (pos + 1 < events.length && times[pos + 1] <= state.clock) pos += 1;
  state.pos = pos;
  if (pos >= events.length - 1) state.clock = Math.min(state.clock, total());
  render(false);
  if (pos >= events.length - 1 && state.loaded && TERMINAL.has(state.status)) {
    pause();
    return;
  }
  requestAnimationFrame(tick);
}

// -- deep links ------------------------------------------------------------------------------

function writeHash() {
  const seq = state.pos >= 0 ? events[state.pos].seq : 0;
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
  const index = log.indexOfSeq(seq);
  if (index >= 0) {
    state.pendingSeq = null;
    pause();
    seek(index, { fromUser: false });
    select(events[index]);
  } else if (state.loaded && seq > log.lastSeq) {
    state.pendingSeq = null;
  }
}

function onHash() {
  state.pendingSeq = readHash();
  resolvePendingSeq();
}

// -- drawing ---------------------------------------------------------------------------------

function visibleCount() {
  if (state.matches === null) return state.pos + 1;
  return upperBound(state.matches, state.pos);
}

function itemAt(k) {
  return events[state.matches === null ? k : state.matches[k]];
}

let drawnWindow = "";

function drawList(force) {
  const count = visibleCount();
  spacer.style.height = `${count * ROW_HEIGHT}px`;
  // Work from our own numbers, not from a scroll position the browser has yet to clamp.
  const height = ui.viewport.clientHeight;
  const bottom = Math.max(0, count * ROW_HEIGHT - height);
  const top = state.follow ? bottom : Math.min(ui.viewport.scrollTop, bottom);
  if (state.follow) ui.viewport.scrollTop = bottom;
  const first = Math.max(0, Math.floor(top / ROW_HEIGHT) - 5);
  const last = Math.min(count, first + Math.ceil(height / ROW_HEIGHT) + 10);
  const key = `${first}:${last}:${count}:${state.selectedSeq}:${state.pos}`;
  if (!force && key === drawnWindow) return;
  drawnWindow = key;
  const current = state.pos >= 0 ? events[state.pos].seq : null;
  const rows = [];
  for (let k = first; k < last; k += 1) {
    const event = itemAt(k);
    const row = eventRow(event);
    if (event.seq === current) row.classList.add("current");
    if (event.seq === state.selectedSeq) row.classList.add("selected");
    rows.push(row);
  }
  ui.list.style.top = `${first * ROW_HEIGHT}px`;
  ui.list.replaceChildren(...rows);
  ui.count.textContent = `${count.toLocaleString()}${state.matches === null ? "" : " matching"}`;
  ui.hint.hidden = count > 0;
}

function drawLanes() {
  const span = Math.max(total(), 1);
  const ticks = [];
  for (let k = 0; k <= 4; k += 1) {
    const tick = el("span", { className: "gantt-tick", text: `+${formatSpan((span * k) / 4)}` });
    tick.style.left = `${k * 25}%`;
    ticks.push(tick);
  }
  ui.axis.replaceChildren(el("span", { className: "gantt-label" }), el("div", { className: "gantt-track" }, ...ticks));
  const rows = [];
  for (const [agent, info] of agents) {
    if (info === null) continue;
    const track = el("div", { className: "gantt-track" });
    let run = null;
    const flush = (endIndex) => {
      if (!run) return;
      const end = endIndex < events.length ? times[endIndex] : times[run.last];
      const width = (end - times[run.first]) / span;
      if (width >= MIN_BAR || run.first === run.last || events[run.first].phase === "error") {
        const first = events[run.first];
        const bar = el("button", {
          className: `gantt-bar phase-${first.phase}`,
          data: { index: run.first, firstSeq: first.seq },
          attrs: { type: "button", title: `${agent} · ${first.phase} · #${first.seq}–#${events[run.last].seq} · ${formatSpan(end - times[run.first])}` },
        });
        bar.style.left = `${(times[run.first] / span) * 100}%`;
        bar.style.width = `${Math.max(width * 100, 0.3)}%`;
        track.append(bar);
      }
      run = null;
    };
    let previous = -2;
    for (const i of info.indices) {
      const phase = events[i].phase;
      // A run: this agent's events in one phase with nobody else's in between.
      if (run && run.phase === phase && i === previous + 1) {
        run.last = i;
      } else {
        flush(run ? run.last + 1 : i);
        run = { phase, first: i, last: i };
      }
      if (phase === "error") flush(i + 1);
      previous = i;
    }
    flush(run ? run.last + 1 : events.length);
    info.phase = el("span", { className: "gantt-phase" });
    info.pct = el("span", { className: "gantt-pct" });
    info.label = el("span", { className: "gantt-label" },
      el("span", { className: `gantt-name agent-${cssName(agent)}`, text: agent }), info.phase, info.pct);
    rows.push(el("div", { className: `gantt-row agent-${cssName(agent)}`, data: { agent } }, info.label, track));
  }
  ui.rows.replaceChildren(...rows);
  drawPlayhead();
}

function drawPlayhead() {
  const fraction = Math.min(1, state.clock / Math.max(total(), 1));
  ui.playhead.style.left = `calc(var(--gantt-label) + (100% - var(--gantt-label)) * ${fraction})`;
  for (const info of agents.values()) {
    if (!info || !info.label) continue;
    const k = upperBound(info.indices, state.pos) - 1;
    const p = upperBound(info.pctIndices, state.pos) - 1;
    info.phase.textContent = k >= 0 ? events[info.indices[k]].phase : "";
    info.pct.textContent = p >= 0 && k >= 0 ? formatPct(events[info.pctIndices[p]].pct) : "";
  }
}

function drawDecisions() {
  const upTo = upperBound(decisionIndices, state.pos);
  if (upTo === state.shownDecisions) return;
  state.shownDecisions = upTo;
  decisions.reset();
  for (const i of decisionIndices.slice(Math.max(0, upTo - 50), upTo)) decisions.add(events[i]);
}

function drawReport() {
  const k = upperBound(reportIndices, state.pos) - 1;
  const index = k >= 0 ? reportIndices[k] : -1;
  if (index === state.shownReport) return;
  state.shownReport = index;
  if (index < 0) {
    ui.report.dataset.state = "empty";
    ui.report.replaceChildren(el("p", { className: "muted", text: "The report appears here once the playhead passes codesmith's result." }));
    return;
  }
  showReport(ui.report, config.reportUrl, events[index].seq).catch((error) => console.warn("report", error));
}

function render(force) {
  ui.scrubber.value = String(state.pos + 1);
  ui.clock.textContent = `${formatSpan(state.clock)} / ${formatSpan(total())}`;
  const seq = state.pos >= 0 ? events[state.pos].seq : 0;
  ui.position.textContent = `#${seq} of ${log.lastSeq}`;
  ui.player.dataset.playhead = String(seq);
  drawList(force);
  drawPlayhead();
  drawDecisions();
  drawReport();
}

function select(event) {
  state.selectedSeq = event.seq;
  renderDetail(ui.detail, event, t0 ?? undefined);
  drawList(true);
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
    if (state.playing) pause(); else play();
  } else if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
    event.preventDefault();
    step(event.key === "ArrowRight" ? 1 : -1, event.shiftKey ? 10 : 1);
  } else if (event.key === "Home" || event.key === "End") {
    event.preventDefault();
    pause();
    seek(event.key === "Home" ? -1 : events.length - 1);
  }
}

function wire() {
  ui.play.addEventListener("click", () => (state.playing ? pause() : play()));
  ui.prev.addEventListener("click", () => step(-1));
  ui.next.addEventListener("click", () => step(1));
  ui.speed.addEventListener("change", () => {
    if (ui.speed.value === "instant") {
      pause();
      seek(events.length - 1);
    }
  });
  ui.scrubber.addEventListener("input", () => {
    pause();
    seek(Number(ui.scrubber.value) - 1);
  });
  ui.viewport.addEventListener("scroll", () => {
    state.follow = ui.viewport.scrollHeight - ui.viewport.scrollTop - ui.viewport.clientHeight < ROW_HEIGHT;
    drawList(false);
  });
  ui.list.addEventListener("click", (event) => {
    const row = event.target.closest("[data-seq]");
    if (row) select(events[log.indexOfSeq(Number(row.dataset.seq))]);
  });
  ui.rows.addEventListener("click", (event) => {
    const bar = event.target.closest(".gantt-bar");
    if (!bar) return;
    pause();
    const index = Number(bar.dataset.index);
    seek(index);
    select(events[index]);
  });
  for (const input of [ui.agent, ui.phase]) input.addEventListener("change", refilter);
  let debounce = null;
  ui.search.addEventListener("input", () => {
    clearTimeout(debounce);
    debounce = setTimeout(refilter, 150);
  });
  document.addEventListener("keydown", onKey);
  window.addEventListener("hashchange", onHash);
  window.addEventListener("resize", () => render(true));
}

wire();
state.pendingSeq = readHash();
load().catch((error) => {
  ui.loadState.textContent = `Could not load the events (${error.message}).`;
  ui.player.dataset.state = "error";
});
