// The replay's deep links: `#seq=N` in the URL puts the playhead on event N (once it has loaded,
// and again on every `hashchange`); pausing, stepping or scrubbing writes the current seq back
// with `history.replaceState` (no new history entry per step).

export class DeepLink {
  /** `goTo(index)` moves the playhead to an event and shows it; `loaded()`: all pages are in. */
  constructor({ recording, goTo, loaded }) {
    Object.assign(this, { recording, goTo, loaded });
    this.pending = DeepLink.read();
    window.addEventListener("hashchange", () => {
      this.pending = DeepLink.read();
      this.resolve();
    });
  }

  static read() {
    const match = /^#seq=(\d+)$/.exec(window.location.hash);
    return match ? Number(match[1]) : null;
  }

  /** Write the seq at position `pos` (0 before the first event) into the URL. */
  write(pos) {
    const seq = pos >= 0 ? this.recording.events[pos].seq : 0;
    history.replaceState(null, "", `${location.pathname}${location.search}#seq=${seq}`);
  }

  /** Go to the linked event if it has loaded; forget a link past the session's end. */
  resolve() {
    const seq = this.pending;
    if (seq === null) return;
    if (seq === 0) {
      this.pending = null;
      this.goTo(-1);
      return;
    }
    const index = this.recording.indexOfSeq(seq);
    if (index >= 0) {
      this.pending = null;
      this.goTo(index);
    } else if (this.loaded() && seq > this.recording.lastSeq) {
      this.pending = null;
    }
  }
}
