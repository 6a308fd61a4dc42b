// The live page as a dashboard of the run: overall progress (from the lanes, board.js), how long
// the session has run, "no events for N s" when a running session goes quiet, and a banner with
// the full reason when it fails or is cancelled. A one-second tick keeps the clocks moving.
import { el, formatDuration, parseTs } from "./timeline.js";

const QUIET_AFTER_MS = 10000; // a running session silent this long says so
const REASONS = {
  cancel_requested: "cancelled at a user's request",
  runner_stopped: "the process running it stopped",
  lease_expired: "its runner stopped responding",
  workflow_error: "the workflow reported an error",
  internal_error: "an internal error (details in the server log)",
};

export class Dashboard {
  constructor({ board, progress, progressText, elapsed, quiet, banner, status }) {
    Object.assign(this, { board, progress, progressText, elapsed, quiet, banner, status });
    this.startedAt = null; // ms of the `started` event
    this.endedAt = null; // ms of the terminal event
    this.lastArrival = Date.now(); // when this page last received an event (its own clock)
    this.lastError = null; // the latest `error` event, for the banner
    this.timer = setInterval(() => this.tick(), 1000);
    this.drawProgress();
    this.tick();
  }

  /** Take one applied event (in seq order); `status` is the session's status after it. */
  update(event, status) {
    this.lastArrival = Date.now();
    this.status = status;
    if (event.phase === "error") this.lastError = event;
    if (event.t === "session_event") {
      const at = parseTs(event.ts);
      if (event.phase === "started") this.startedAt = at;
      else if (["completed", "failed", "cancelled"].includes(event.phase)) this.end(event, at);
    }
    this.drawProgress();
    this.tick();
  }

  setStatus(status) {
    this.status = status;
    this.tick();
  }

  end(event, at) {
    this.endedAt = at;
    if (this.startedAt === null) this.startedAt = at;
    if (event.phase === "failed" || event.phase === "cancelled") this.showBanner(event);
    this.tick();
  }

  showBanner(event) {
    const title = event.phase === "failed" ? "This session failed" : "This session was cancelled";
    const reason = event.data?.reason;
    const facts = [];
    if (reason) facts.push(`Reason: ${REASONS[reason] || reason} (${reason})`);
    if (this.lastError && this.lastError.msg && !event.msg.includes(this.lastError.msg)) {
      facts.push(`Last error, from ${this.lastError.agent || "the session"}: ${this.lastError.msg}`);
    }
    this.banner.dataset.status = event.phase;
    this.banner.replaceChildren(
      el("p", { className: "banner-title", text: title }),
      el("p", { className: "banner-reason", text: event.msg }),
      ...facts.map((fact) => el("p", { className: "banner-meta", text: fact })),
    );
    this.banner.hidden = false;
  }

  drawProgress() {
    const { fraction, done, total } = this.board.overall();
    this.progress.value = fraction;
    const pct = `${Math.round(fraction * 100)}%`;
    this.progress.setAttribute("aria-valuetext", pct);
    this.progressText.textContent = total ? `${pct} · ${done} of ${total} agents done` : pct;
    this.progressText.dataset.fraction = fraction.toFixed(3);
  }

  tick() {
    const now = Date.now();
    this.board.tick(this.endedAt ?? now);
    if (this.startedAt === null) {
      this.elapsed.textContent = this.status === "pending" ? "Waiting to start" : "Not started";
    } else if (this.endedAt !== null) {
      this.elapsed.textContent = `Ran for ${formatDuration(this.endedAt - this.startedAt)}`;
      this.elapsed.dataset.state = "ended";
    } else {
      this.elapsed.textContent = `Running for ${formatDuration(now - this.startedAt)}`;
      this.elapsed.dataset.state = "running";
    }
    const silent = now - this.lastArrival;
    const quiet = this.status === "running" && this.endedAt === null && silent >= QUIET_AFTER_MS;
    this.quiet.hidden = !quiet;
    if (quiet) this.quiet.textContent = `No events for ${Math.floor(silent / 1000)} s`;
  }
}
