// A list of event rows in a scrolling viewport, for the live page and the replay. Rows have one
// fixed height (the stylesheet's `--row-h` on the viewport: taller two-line rows on a phone), so
// the list knows where each row is without rendering it: up to `fullUpTo` rows
// all are in the DOM; past that only the rows in view (and a margin) are, each still carrying its
// `data-seq` (each seq once), and scrolling renders the others. Rows are added and removed at the
// edges of the rendered range, never all rebuilt while the range moves.
import { eventRow } from "./timeline.js";

const MARGIN = 5; // rows rendered beyond each edge of the view

export class VirtualList {
  /**
   * `viewport` is the scrolling element; `rows` the <ol> inside its spacer (the ol's parent).
   * `itemAt(k)` returns the k-th event of the list; `lanes` (lanes.js) names and colours agents.
   */
  constructor(viewport, rows, { itemAt, lanes, fullUpTo = 0 }) {
    this.viewport = viewport;
    this.rows = rows;
    this.spacer = rows.parentElement;
    this.itemAt = itemAt;
    this.lanes = lanes;
    this.rowHeight = this.measure();
    this.fullUpTo = fullUpTo;
    this.count = 0;
    this.from = 0; // the rendered range of indices: [from, to)
    this.to = 0;
    this.follow = true; // keep the last row in view as rows are added
    this.marks = new Map(); // class name -> the seq of the one row that carries it
    this.scheduled = false;
    viewport.addEventListener("scroll", () => {
      this.follow = this.atBottom();
      this.draw();
    });
    window.addEventListener("resize", () => {
      const height = this.measure();
      if (height === this.rowHeight) return;
      this.rowHeight = height;
      this.draw();
    });
  }

  /** The row height the stylesheet gives this viewport now (px). */
  measure() {
    return parseFloat(getComputedStyle(this.viewport).getPropertyValue("--row-h")) || 30;
  }

  /** Scroll so that row `index` is in view (and stop following the newest row). */
  scrollTo(index) {
    const top = index * this.rowHeight;
    const { scrollTop, clientHeight } = this.viewport;
    this.follow = false;
    if (top < scrollTop) this.viewport.scrollTop = top;
    else if (top + this.rowHeight > scrollTop + clientHeight) this.viewport.scrollTop = top + this.rowHeight - clientHeight;
    this.draw();
  }

  atBottom() {
    const { scrollHeight, scrollTop, clientHeight } = this.viewport;
    return scrollHeight - scrollTop - clientHeight < this.rowHeight;
  }

  /** Set the number of rows; `reset` when `itemAt` now maps indices to other events. */
  setCount(count, { reset = false } = {}) {
    this.count = count;
    if (reset) {
      this.rows.replaceChildren();
      this.from = 0;
      this.to = 0;
    }
  }

  /** Give the class `name` to the row of `seq` alone (null: to none). */
  mark(name, seq) {
    const previous = this.marks.get(name);
    if (previous === seq) return;
    this.marks.set(name, seq);
    if (previous !== undefined && previous !== null) this.rowOf(previous)?.classList.remove(name);
    if (seq !== null) this.rowOf(seq)?.classList.add(name);
  }

  rowOf(seq) {
    return this.rows.querySelector(`[data-seq="${Number(seq)}"]`);
  }

  /** Draw on the next animation frame: many changes, one layout. */
  schedule() {
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => {
      this.scheduled = false;
      this.draw();
    });
  }

  /** Render the rows in view now. */
  draw() {
    const h = this.rowHeight;
    this.spacer.style.height = `${this.count * h}px`;
    const height = this.viewport.clientHeight;
    const bottom = Math.max(0, this.count * h - height);
    // Work from our own numbers, not from a scroll position the browser has yet to clamp.
    const top = this.follow ? bottom : Math.min(this.viewport.scrollTop, bottom);
    if (this.follow) this.viewport.scrollTop = bottom;
    let first = 0;
    let last = this.count;
    if (this.count > this.fullUpTo) {
      first = Math.max(0, Math.floor(top / h) - MARGIN);
      last = Math.min(this.count, first + Math.ceil(height / h) + 2 * MARGIN);
    }
    this.render(first, last);
  }

  render(first, last) {
    if (first >= this.to || last <= this.from) {
      this.rows.replaceChildren(...this.make(first, last));
    } else {
      for (; this.from < first; this.from += 1) this.rows.firstElementChild.remove();
      for (; this.to > last; this.to -= 1) this.rows.lastElementChild.remove();
      if (first < this.from) this.rows.prepend(...this.make(first, this.from));
      if (last > this.to) this.rows.append(...this.make(this.to, last));
    }
    this.from = first;
    this.to = last;
    this.rows.style.top = `${first * this.rowHeight}px`;
  }

  make(first, last) {
    const made = [];
    for (let k = first; k < last; k += 1) {
      const event = this.itemAt(k);
      const row = eventRow(event, this.lanes);
      if (k % 2 === 1) row.classList.add("alt");
      for (const [name, seq] of this.marks) if (event.seq === seq) row.classList.add(name);
      made.push(row);
    }
    return made;
  }
}

/**
 * What an empty list says: its page's own hint (how to start), or, when filters are set, that
 * nothing matches them, up to the playhead or at all.
 */
export class ListHint {
  constructor(node) {
    this.node = node;
    this.start = node.textContent;
  }

  /** `count`: rows listed; `later`: matches after the playhead (null: no filter is set). */
  draw(count, later) {
    this.node.hidden = count > 0;
    if (count > 0) return;
    if (later === null) {
      this.node.dataset.state = "start";
      this.node.textContent = this.start;
      return;
    }
    this.node.dataset.state = "no-match";
    this.node.textContent = later
      ? `No matching events up to the playhead; ${later.toLocaleString()} later on (press → or End).`
      : "No events match these filters.";
  }
}
