// A workflow's lanes as the pages draw them: the page config declares each lane's name, label
// and colour, in order. Declared lanes come first, in that order; an agent the workflow did not
// declare still shows, after them, under its own name and in the stylesheet's neutral colour
// (`--lane-default`). Colours reach the page through the CSSOM (`style.setProperty`), which the
// CSP's `style-src 'self'` allows, unlike a style attribute.

export class Lanes {
  /** `declared`: the config's `lanes`, [{name, label, color}, ...] (may be empty). */
  constructor(declared = []) {
    this.declared = new Map();
    for (const lane of declared || []) {
      if (lane && typeof lane.name === "string") this.declared.set(lane.name, lane);
    }
    this.order = [...this.declared.keys()];
  }

  /** The human-readable name of agent `name`. */
  label(name) {
    return this.declared.get(name)?.label || name;
  }

  /** The declared colour of agent `name`, or null (the stylesheet's default applies). */
  color(name) {
    return this.declared.get(name)?.color || null;
  }

  /** Where agent `name` goes: its declaration index; Infinity for an undeclared one. */
  rank(name) {
    const index = this.order.indexOf(name);
    return index < 0 ? Infinity : index;
  }

  /** `names` with the declared ones first, in declaration order; the others keep their order. */
  sorted(names) {
    return [...names].sort((a, b) => {
      const ra = this.rank(a);
      const rb = this.rank(b);
      return ra === rb ? 0 : (ra < rb ? -1 : 1);
    });
  }

  /** Give `node` (and what it contains) agent `name`'s colour as `--lane`; return `node`. */
  paint(node, name) {
    const color = this.color(name);
    if (color) node.style.setProperty("--lane", color);
    return node;
  }

  /**
   * Insert `node`, which is agent `name`'s, among `container`'s children that carry
   * `data-agent`: before the first of a later rank, else at the end (so undeclared agents follow
   * in the order they appeared).
   */
  place(container, node, name) {
    const rank = this.rank(name);
    const before = Array.from(container.children).find(
      (child) => child.dataset.agent !== undefined && this.rank(child.dataset.agent) > rank,
    );
    container.insertBefore(node, before || null);
    return node;
  }
}
