// The replay's playhead: a position (the index of the last played event) and a clock (ms since
// the first event). Playing advances the clock by real time × speed on requestAnimationFrame and
// plays every event whose time has passed, so the timing is the session's own; "skip idle gaps"
// cuts any silence over IDLE_GAP_MS down to IDLE_LEAD_MS.
const IDLE_GAP_MS = 1000;
const IDLE_LEAD_MS = 150;

export class Player {
  /**
   * `options`: speed() (a number), skipIdle() (a boolean), finished() (true once every event is
   * loaded and the session has ended: playing stops at the end), onMove() after each move, and
   * onPlaying(playing) when playing starts or stops.
   */
  constructor(recording, options) {
    this.recording = recording;
    this.options = options;
    this.pos = -1;
    this.clock = 0;
    this.playing = false;
    this.lastFrame = 0;
    this.tick = this.tick.bind(this);
  }

  get atEnd() {
    return this.pos >= this.recording.length - 1;
  }

  /** Move the playhead to event `index` (-1: before the first). */
  seek(index) {
    this.pos = Math.max(-1, Math.min(index, this.recording.length - 1));
    this.clock = this.pos >= 0 ? this.recording.times[this.pos] : 0;
    this.options.onMove();
  }

  play() {
    if (!this.recording.length || this.playing) return;
    if (this.atEnd && this.options.finished()) this.seek(-1);
    this.playing = true;
    this.lastFrame = performance.now();
    this.options.onPlaying(true);
    requestAnimationFrame(this.tick);
  }

  pause() {
    if (!this.playing) return;
    this.playing = false;
    this.options.onPlaying(false);
  }

  toggle() {
    if (this.playing) this.pause(); else this.play();
  }

  tick(now) {
    if (!this.playing) return;
    const { times, length } = this.recording;
    this.clock += (now - this.lastFrame) * this.options.speed();
    this.lastFrame = now;
    const next = this.pos + 1;
    if (next < length && this.options.skipIdle() && times[next] - this.clock > IDLE_GAP_MS) {
      this.clock = times[next] - IDLE_LEAD_MS;
    }
    let pos = this.pos;
    while (pos + 1 < length && times[pos + 1] <= this.clock) pos += 1;
    this.pos = pos;
    if (this.atEnd) this.clock = Math.min(this.clock, this.recording.total);
    this.options.onMove();
    if (this.atEnd && this.options.finished()) {
      this.pause();
      return;
    }
    requestAnimationFrame(this.tick);
  }
}
