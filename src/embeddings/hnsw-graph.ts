import { typedView } from "./index-bytes.js";

/** The highest layer a node can reach. */
export const MAX_LEVEL = 15;

interface UpperLinks {
  links: Int32Array;
  counts: Uint8Array;
}

/**
 * The layered neighbour lists of an HNSW index: for every node its layer, its links on layer 0
 * (`2m` once pruned) and on each layer above (`m` once pruned). A list takes half as many again
 * before it is full and has to be pruned, so the (costly) pruning runs once every few links
 * rather than on every one. Links keep no scores: a pruning scores its list again, which costs
 * far less than the search that led to it, and a million nodes save 200 MB.
 */
export class HnswGraph {
  readonly m: number;
  readonly m0: number;
  /** Room of a list on layer 0 and above. */
  readonly width0: number;
  readonly width: number;
  levels = new Uint8Array(0);
  links0 = new Int32Array(0);
  counts0 = new Uint8Array(0);
  readonly upper = new Map<number, UpperLinks>();
  entry = -1;
  maxLevel = -1;

  constructor(m: number) {
    this.m = m;
    this.m0 = 2 * m;
    this.width0 = this.m0 + m;
    this.width = m + Math.ceil(m / 2);
  }

  reserve(capacity: number): void {
    if (capacity <= this.levels.length) return;
    const grow = <T extends Uint8Array | Int32Array>(array: T, make: (n: number) => T, width: number): T => {
      const next = make(capacity * width);
      next.set(array);
      return next;
    };
    this.levels = grow(this.levels, (n) => new Uint8Array(n), 1);
    this.counts0 = grow(this.counts0, (n) => new Uint8Array(n), 1);
    this.links0 = grow(this.links0, (n) => new Int32Array(n), this.width0);
  }

  /** Gives a node its layer (and empty lists on the layers above 0). */
  place(slot: number, level: number): void {
    this.levels[slot] = level;
    this.counts0[slot] = 0;
    if (level > 0) this.upper.set(slot, { links: new Int32Array(level * this.width), counts: new Uint8Array(level) });
  }

  /** Appends the links of a node on a layer to `into` (returns how many). */
  linksOf(slot: number, level: number, into: number[]): number {
    if (level === 0) {
      const base = slot * this.width0;
      const count = this.counts0[slot] as number;
      for (let index = 0; index < count; index += 1) into.push(this.links0[base + index] as number);
      return count;
    }
    const upper = this.upper.get(slot);
    if (upper === undefined) return 0;
    const base = (level - 1) * this.width;
    const count = upper.counts[level - 1] as number;
    for (let index = 0; index < count; index += 1) into.push(upper.links[base + index] as number);
    return count;
  }

  /** Replaces a node's links on a layer (up to the list's room). */
  setLinks(slot: number, level: number, chosen: ReadonlyArray<{ slot: number }>): void {
    const [links, base, width] = this.listOf(slot, level);
    const count = Math.min(width, chosen.length);
    for (let index = 0; index < count; index += 1) links[base + index] = (chosen[index] as { slot: number }).slot;
    this.setCount(slot, level, count);
  }

  /** Adds a link to a node's list on a layer: false, changing nothing, when the list is full. */
  addLink(slot: number, level: number, other: number): boolean {
    const [links, base, width] = this.listOf(slot, level);
    const count = this.countOf(slot, level);
    if (count >= width) return false;
    links[base + count] = other;
    this.setCount(slot, level, count + 1);
    return true;
  }

  private countOf(slot: number, level: number): number {
    return level === 0 ? (this.counts0[slot] as number) : ((this.upper.get(slot) as UpperLinks).counts[level - 1] as number);
  }

  private setCount(slot: number, level: number, count: number): void {
    if (level === 0) this.counts0[slot] = count;
    else (this.upper.get(slot) as UpperLinks).counts[level - 1] = count;
  }

  private listOf(slot: number, level: number): [Int32Array, number, number] {
    if (level === 0) return [this.links0, slot * this.width0, this.width0];
    const upper = this.upper.get(slot) as UpperLinks;
    return [upper.links, (level - 1) * this.width, this.width];
  }

  /** The graph's arrays for the first `rows` nodes, for persistence: layer 0's as views, valid until the graph changes. */
  export(rows: number): ArrayBufferView[] {
    const slots = [...this.upper.keys()].filter((slot) => slot < rows).sort((a, b) => a - b);
    const total = slots.reduce((sum, slot) => sum + (this.levels[slot] as number), 0);
    const links = new Int32Array(total * this.width);
    const counts = new Uint8Array(total);
    let at = 0;
    for (const slot of slots) {
      const upper = this.upper.get(slot) as UpperLinks;
      links.set(upper.links, at * this.width);
      counts.set(upper.counts, at);
      at += upper.counts.length;
    }
    return [this.levels.subarray(0, rows), this.links0.subarray(0, rows * this.width0), this.counts0.subarray(0, rows), Int32Array.from(slots), links, counts];
  }

  /**
   * Loads what {@link HnswGraph.export} wrote; false when the arrays do not fit together.
   * `withScores`: the arrays of an older index, which kept a score with every link (skipped).
   */
  import(rows: number, sections: readonly Uint8Array[], withScores = false): boolean {
    const [levels, links0, scores0, counts0, slots, links, scores, counts] = withScores ? sections : [sections[0], sections[1], undefined, sections[2], sections[3], sections[4], undefined, sections[5]];
    if (levels === undefined || links0 === undefined || counts0 === undefined || slots === undefined || links === undefined || counts === undefined || sections.length !== (withScores ? 8 : 6)) return false;
    const slotArray = typedView(slots, Int32Array);
    if (levels.length !== rows || links0.byteLength !== rows * this.width0 * 4 || counts0.byteLength !== rows) return false;
    if (withScores && scores0?.byteLength !== links0.byteLength) return false;
    if (!slotArray.every((slot) => slot >= 0 && slot < rows && (levels[slot] as number) > 0)) return false;
    if (new Set(slotArray).size !== slotArray.length || levels.reduce((sum, level) => sum + (level > 0 ? 1 : 0), 0) !== slotArray.length) return false;
    const total = slotArray.reduce((sum, slot) => sum + (levels[slot] ?? 0), 0);
    if (counts.length !== total || links.byteLength !== total * this.width * 4 || (withScores && scores?.byteLength !== links.byteLength)) return false;
    this.reserve(rows);
    this.levels.set(levels);
    this.links0.set(typedView(links0, Int32Array));
    this.counts0.set(counts0);
    const linkArray = typedView(links, Int32Array);
    let at = 0;
    for (const slot of slotArray) {
      const level = levels[slot] as number;
      this.upper.set(slot, { links: linkArray.slice(at * this.width, (at + level) * this.width), counts: counts.slice(at, at + level) });
      at += level;
    }
    return true;
  }
}
