import type { TagValues, VectorFilter } from "./vector-index.js";

/** The fields a vector can be tagged with, for filtered search. */
export const TAG_FIELDS = ["level", "actor", "goal"] as const;
export type TagField = (typeof TAG_FIELDS)[number];

/** The wanted values as a list. */
function listed(wanted: TagValues): ReadonlyArray<string | null> {
  return typeof wanted === "string" || wanted === null ? [wanted] : wanted;
}

/**
 * One tag field of a vector index: each row's value interned as a small integer (-1 for none),
 * so a filter is an array lookup per row, with how many live rows hold each value (and how
 * many hold none).
 */
export class TagColumn {
  private readonly codes = new Map<string, number>();
  private readonly names: string[] = [];
  private counts: number[] = [];
  /** Live rows without a value. */
  private untagged = 0;
  values: Int32Array;

  constructor(capacity: number) {
    this.values = new Int32Array(capacity).fill(-1);
  }

  /** A column restored from its values by code ({@link TagColumn.names}) and its row codes. */
  static restore(names: readonly string[], values: Int32Array, capacity: number): TagColumn {
    const column = new TagColumn(capacity);
    for (const name of names) column.code(name);
    column.values.set(values);
    return column;
  }

  /** The code of a value, interned on first sight (-1 for none). */
  code(value: string | undefined): number {
    if (value === undefined) return -1;
    let code = this.codes.get(value);
    if (code === undefined) {
      code = this.names.length;
      this.codes.set(value, code);
      this.names.push(value);
      this.counts.push(0);
    }
    return code;
  }

  /** Every value, by code. */
  get known(): readonly string[] {
    return this.names;
  }

  /** Sets a row's value; `live` rows are counted per value. */
  set(slot: number, value: string | undefined, live = true): void {
    const code = this.code(value);
    this.values[slot] = code;
    if (live) this.count(code, 1);
  }

  /** Stops counting a row that left. */
  release(slot: number): void {
    this.count(this.values[slot] as number, -1);
  }

  /** Recounts the live rows (after a restore). */
  recount(isLive: (slot: number) => boolean, rows: number): void {
    this.counts = this.names.map(() => 0);
    this.untagged = 0;
    for (let slot = 0; slot < rows; slot += 1) if (isLive(slot)) this.count(this.values[slot] as number, 1);
  }

  /**
   * A lookup table of allowed codes, or null when the filter does not constrain this field.
   * It is read at a row's code + 1: place 0 says whether a row without a value passes.
   */
  allowed(wanted: TagValues | undefined): Uint8Array | null {
    if (wanted === undefined) return null;
    const table = new Uint8Array(this.codes.size + 1);
    for (const value of listed(wanted)) {
      const code = value === null ? -1 : this.codes.get(value);
      if (code !== undefined) table[code + 1] = 1;
    }
    return table;
  }

  /** How many live rows hold one of the wanted values (`null`: no value). */
  countOf(wanted: TagValues): number {
    let total = 0;
    for (const value of new Set(listed(wanted))) {
      if (value === null) total += this.untagged;
      else {
        const code = this.codes.get(value);
        if (code !== undefined) total += this.counts[code] ?? 0;
      }
    }
    return total;
  }

  private count(code: number, change: number): void {
    if (code < 0) this.untagged += change;
    else this.counts[code] = (this.counts[code] ?? 0) + change;
  }

  grow(capacity: number): void {
    const next = new Int32Array(capacity).fill(-1);
    next.set(this.values.subarray(0, Math.min(this.values.length, capacity)));
    this.values = next;
  }
}

/**
 * At most how many live rows pass a filter's tags: the fewest that hold a wanted value of any
 * field it names (Infinity when it names none). 0 means no row can pass, and nothing need be scored.
 */
export function mostPassing(tags: Readonly<Record<TagField, TagColumn>>, filter: VectorFilter | undefined): number {
  let most = Infinity;
  for (const field of TAG_FIELDS) {
    const wanted = filter?.[field];
    if (wanted !== undefined) most = Math.min(most, tags[field].countOf(wanted));
  }
  return most;
}

/** A check of a row against a filter: its tags, then the predicate on its id; `skip` rows never pass. */
export function rowFilter(
  tags: Readonly<Record<TagField, TagColumn>>,
  filter: VectorFilter | undefined,
  idOf: (slot: number) => string,
  skip?: Uint8Array,
): (slot: number) => boolean {
  const allowed = TAG_FIELDS.map((field) => [tags[field].values, tags[field].allowed(filter?.[field])] as const).filter(
    (pair): pair is readonly [Int32Array, Uint8Array] => pair[1] !== null,
  );
  const predicate = filter?.predicate;
  return (slot: number): boolean => {
    if (skip !== undefined && skip[slot] === 1) return false;
    for (const [codes, table] of allowed) if (table[(codes[slot] as number) + 1] !== 1) return false;
    return predicate === undefined || predicate(idOf(slot));
  };
}
