// Zoom and pan for the replay's lanes view: the canvas is `--zoom` times the view's width (the
// labels stay put, sticky), and pans inside the view: drag it, scroll sideways, or let the
// playhead lead while playing. Buttons, + - 0 and Ctrl/⌘ + wheel zoom, keeping the time under
// the view's centre (or the pointer) in place.
const LEVELS = [1, 2, 4, 8, 16, 32, 64];

export class Zoom {
  /** `view`: the scrolling element; `onChange(zoom)` redraws the lanes for the new zoom. */
  constructor({ view, level, buttons, onChange }) {
    Object.assign(this, { view, level, onChange });
    this.zoom = 1;
    buttons.zoomIn.addEventListener("click", () => this.by(1));
    buttons.zoomOut.addEventListener("click", () => this.by(-1));
    buttons.fit.addEventListener("click", () => this.set(1));
    view.addEventListener("wheel", (event) => this.wheel(event), { passive: false });
    view.addEventListener("pointerdown", (event) => this.grab(event));
    this.show();
  }

  /** The label column's width (px): the part of the view the track does not use. */
  label() {
    return parseFloat(getComputedStyle(this.view).getPropertyValue("--gantt-label")) || 0;
  }

  /** The track's fraction (0–1) shown at `x` px from the view's left edge. */
  fractionAt(x) {
    const width = (this.view.clientWidth - this.label()) * this.zoom;
    return (this.view.scrollLeft + x - this.label()) / Math.max(width, 1);
  }

  /** Scroll so that track fraction `f` is at `x` px from the view's left edge. */
  place(f, x) {
    const width = (this.view.clientWidth - this.label()) * this.zoom;
    this.view.scrollLeft = Math.max(0, this.label() + f * width - x);
  }

  set(zoom, anchorX = null) {
    const next = Math.min(LEVELS[LEVELS.length - 1], Math.max(1, zoom));
    if (next === this.zoom) return;
    const x = anchorX ?? (this.label() + this.view.clientWidth) / 2;
    const f = this.fractionAt(x);
    this.zoom = next;
    this.show();
    this.onChange(next);
    this.place(f, x);
  }

  by(steps, anchorX = null) {
    const index = LEVELS.indexOf(this.zoom);
    this.set(LEVELS[Math.max(0, Math.min(LEVELS.length - 1, index + steps))], anchorX);
  }

  show() {
    this.view.style.setProperty("--zoom", String(this.zoom));
    this.view.dataset.zoom = String(this.zoom);
    this.level.textContent = `${this.zoom}×`;
  }

  wheel(event) {
    if (!event.ctrlKey && !event.metaKey) return; // plain wheels scroll as usual
    event.preventDefault();
    const x = event.clientX - this.view.getBoundingClientRect().left;
    this.by(event.deltaY < 0 ? 1 : -1, x);
  }

  /** Drag the canvas sideways to pan (not from a bar: a bar is a button). */
  grab(event) {
    if (this.zoom === 1 || event.button !== 0 || event.target.closest(".gantt-bar")) return;
    const startX = event.clientX;
    const startLeft = this.view.scrollLeft;
    this.view.setPointerCapture(event.pointerId);
    this.view.classList.add("panning");
    const move = (e) => { this.view.scrollLeft = startLeft - (e.clientX - startX); };
    const stop = () => {
      this.view.classList.remove("panning");
      this.view.removeEventListener("pointermove", move);
      this.view.removeEventListener("pointerup", stop);
      this.view.removeEventListener("pointercancel", stop);
    };
    this.view.addEventListener("pointermove", move);
    this.view.addEventListener("pointerup", stop);
    this.view.addEventListener("pointercancel", stop);
  }

  /** While playing, keep the playhead (track fraction `f`) in view: it leads from a third in. */
  follow(f) {
    if (this.zoom === 1) return;
    const shownFrom = this.fractionAt(this.label());
    const shownTo = this.fractionAt(this.view.clientWidth);
    if (f < shownFrom || f > shownTo) this.place(f, this.label() + (this.view.clientWidth - this.label()) / 3);
  }
}
