// The home page's list follows its unfinished sessions live: each row of a pending or running
// session listens on that session's WebSocket (the transport the live page uses, from the row's
// last seq), and its status, event count and duration change as the session does, until its
// `end` frame. At most MAX_FOLLOWED rows are followed at once (the newest ones); a dropped socket
// reconnects with backoff; a refused one (4404, 4400, 4410) is left alone.
import { TERMINAL, formatDuration, parseTs, readConfig, setStatus, statusAfter } from "./timeline.js";

const MAX_FOLLOWED = 20;
const BACKOFF_MS = [1000, 2000, 4000, 8000, 15000];
const FINAL_CODES = new Set([4400, 4404, 4410]);

const config = readConfig("home-config");

class FollowedRow {
  constructor(row) {
    this.row = row;
    this.id = row.dataset.session;
    this.badge = row.querySelector(".status-badge");
    this.events = row.querySelector("[data-cell=events]");
    this.duration = this.events.previousElementSibling;
    const started = row.querySelector("[data-started]")?.dataset.started;
    this.startedAt = started ? Date.parse(started) : null;
    this.lastSeq = Number(this.events.textContent) || 0;
    this.status = this.badge.dataset.status;
    this.attempts = 0;
    this.socket = null;
  }

  connect() {
    const url = new URL(`${config.wsBase}${this.id}/`);
    url.searchParams.set("after", String(this.lastSeq));
    const ws = new WebSocket(url);
    this.socket = ws;
    ws.addEventListener("open", () => { this.attempts = 0; });
    ws.addEventListener("message", (message) => this.frame(message.data));
    ws.addEventListener("close", (close) => {
      this.socket = null;
      if (TERMINAL.has(this.status) || FINAL_CODES.has(close.code)) return;
      const delay = BACKOFF_MS[Math.min(this.attempts, BACKOFF_MS.length - 1)];
      this.attempts += 1;
      setTimeout(() => this.connect(), delay);
    });
  }

  frame(data) {
    let frame;
    try {
      frame = JSON.parse(data);
    } catch {
      return;
    }
    if (Number.isInteger(frame.seq)) this.apply([frame]);
    else if (frame.type === "events" && Array.isArray(frame.events)) this.apply(frame.events);
    else if (frame.type === "end") {
      this.count(frame.last_seq);
      this.show(frame.status);
      this.socket?.close(1000, "ended");
    }
  }

  apply(events) {
    for (const event of events) {
      if (!Number.isInteger(event.seq) || event.seq <= this.lastSeq) continue;
      this.count(event.seq);
      const next = statusAfter(event);
      if (event.phase === "started") this.startedAt = parseTs(event.ts);
      if (next && TERMINAL.has(next) && this.startedAt !== null) {
        this.duration.textContent = formatDuration(parseTs(event.ts) - this.startedAt);
      }
      if (next) this.show(next);
    }
  }

  count(seq) {
    this.lastSeq = Math.max(this.lastSeq, seq);
    this.events.textContent = String(this.lastSeq);
  }

  show(status) {
    this.status = status;
    setStatus(this.badge, status);
  }

  /** A running session's duration goes on counting between events. */
  tick(now) {
    if (this.status === "running" && this.startedAt !== null) {
      this.duration.textContent = formatDuration(now - this.startedAt);
    }
  }
}

const followed = [];
for (const row of document.querySelectorAll("#sessions tr[data-session]")) {
  const status = row.querySelector(".status-badge")?.dataset.status;
  if (!status || TERMINAL.has(status) || followed.length >= MAX_FOLLOWED) continue;
  const item = new FollowedRow(row);
  followed.push(item);
  item.connect();
}
if (followed.length) setInterval(() => followed.forEach((item) => item.tick(Date.now())), 1000);
