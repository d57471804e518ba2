import type { VectorFilter } from "./vector-index.js";

/** The fields a vector can be tagged with, for filtered search. */
export const TAG_FIELDS = ["level", "actor", "goal"] as const;
export type TagField = (typeof TAG_FIELDS)[number];

/**
 * One tag field of a vector index: each row's value interned as a small integer (-1 for none),
 * so a filter is an array lookup per row, with how many live rows hold each value.
 */
export class TagColumn {
  private readonly codes = new Map<string, number>();
  private readonly names: string[] = [];
  private counts: number[] = [];
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
    if (live && code >= 0) this.counts[code] = (this.counts[code] ?? 0) + 1;
  }

  /** Stops counting a row that left. */
  release(slot: number): void {
    const code = this.values[slot] as number;
    if (code >= 0) this.counts[code] = (this.counts[code] ?? 1) - 1;
  }

  /** Recounts the live rows (after a restore). */
  recount(isLive: (slot: number) => boolean, rows: number): void {
    this.counts = this.names.map(() => 0);
    for (let slot = 0; slot < rows; slot += 1) {
      const code = this.values[slot] as number;
      if (code >= 0 && isLive(slot)) this.counts[code] = (this.counts[code] ?? 0) + 1;
    }
  }

  /** A lookup table of allowed codes, or null when the filter does not constrain this field. */
  allowed(wanted: string | readonly string[] | undefined): Uint8Array | null {
    if (wanted === undefined) return null;
    const table = new Uint8Array(this.codes.size + 1);
    for (const value of typeof wanted === "string" ? [wanted] : wanted) {
      const code = this.codes.get(value);
      if (code !== undefined) table[code] = 1;
    }
    return table;
  }

  /** How many live rows hold one of the wanted values. */
  countOf(wanted: string | readonly string[]): number {
    let total = 0;
    for (const value of new Set(typeof wanted === "string" ? [wanted] : wanted)) {
      const code = this.codes.get(value);
      if (code !== undefined) total += this.counts[code] ?? 0;
    }
    return total;
  }

  grow(capacity: number): void {
    const next = new Int32Array(capacity).fill(-1);
    next.set(this.values.subarray(0, Math.min(this.values.length, capacity)));
    this.values = next;
  }
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
    for (const [codes, table] of allowed) {
      const code = codes[slot] as number;
      if (code < 0 || table[code] !== 1) return false;
    }
    return predicate === undefined || predicate(idOf(slot));
  };
}
