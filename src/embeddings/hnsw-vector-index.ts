import { CONFIG_DEFAULTS } from "../config/index.js";
import { JottyError } from "../errors/index.js";
import { assertFits } from "./assert-fits.js";
import { CodeRows } from "./code-rows.js";
import { zeroHnswCounters, type HnswCounters } from "./hnsw-counters.js";
import { HnswGraph, MAX_LEVEL } from "./hnsw-graph.js";
import { joined, packed, typedView, unpackSections, type Packed } from "./index-bytes.js";
import { HnswWalk } from "./hnsw-walk.js";
import { sameIds } from "./same-ids.js";
import { mostPassing, rowFilter, TAG_FIELDS, TagColumn, type TagField } from "./tag-column.js";
import type { VectorFilter, VectorIndex, VectorMatch, VectorTags } from "./vector-index.js";

/** Options of {@link HnswVectorIndex}. */
export interface HnswVectorIndexOptions {
  dimensions: number;
  /** Links a node keeps on each layer above 0 (twice as many on layer 0). @default the config's `memory.index.m` (16) */
  m?: number;
  /** Candidates considered when a node is linked in. @default the config's `memory.index.efConstruction` (64) */
  efConstruction?: number;
  /** Candidates a search keeps (at least `k`). @default the config's `memory.index.efSearch` (448) */
  efSearch?: number;
  /** Seeds the draw of each node's layer, so one seed builds one graph. @default 42 */
  seed?: number;
  initialCapacity?: number;
  /** Score with the WebAssembly SIMD kernel when available. @default true */
  simd?: boolean;
}

/**
 * The room an index full at `capacity` grows to: a quarter more (at least 1,024 rows). Each
 * growth copies the graph's arrays (the code memories grow in place), a small cost beside
 * linking the rows in; doubling instead would leave up to half of a million rows' 960 bytes
 * (codes, residuals, links) as room.
 */
export function grownCapacity(capacity: number): number {
  return capacity + Math.max(1024, Math.ceil(capacity / 4));
}

/** Layers drawn for the n-th node: a hash of (seed, n), so no generator state is kept. */
function uniform(seed: number, n: number): number {
  let x = (seed ^ Math.imul(n + 1, 0x9e3779b1)) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  x = (x ^ (x >>> 16)) >>> 0;
  return (x + 0.5) / 4_294_967_296;
}

/**
 * Approximate top-k cosine search: a hierarchical navigable small-world graph (HNSW) over
 * vectors kept as 8-bit codes and 8-bit residuals ({@link CodeRows}). The walk scores by the
 * codes alone (within about 0.01 of the cosine); what it found is ranked again by codes and
 * residuals (within about 0.0001), so near ties come out in their exact order. Filters by tag
 * are applied during the walk; a filter so narrow that few vectors pass scores those exactly.
 * A removed vector stays in the graph as a waypoint until removed ones outnumber the rest,
 * then the graph is rebuilt. Persisted whole with {@link HnswVectorIndex.toBytes}.
 */
export class HnswVectorIndex implements VectorIndex {
  readonly dimensions: number;
  readonly efConstruction: number;
  readonly efSearch: number;
  readonly seed: number;
  readonly counters: HnswCounters = zeroHnswCounters();
  private readonly options: HnswVectorIndexOptions;
  private readonly rows: CodeRows;
  private readonly graph: HnswGraph;
  private readonly levelFactor: number;
  private tags: Record<TagField, TagColumn>;
  private capacity: number;
  private used = 0;
  private inserted = 0;
  private live = 0;
  private ids: Array<string | undefined> = [];
  private readonly slots = new Map<string, number>();
  private removed = new Uint8Array(0);
  private readonly walk: HnswWalk;
  /** Scratch lists of {@link HnswVectorIndex.prune}. */
  private readonly pool: number[] = [];
  private readonly poolScores: number[] = [];
  /** Counts adds and removes: a search kept for an add is used only if nothing changed since. */
  private version = 0;
  /** The last `beforeAdd` search: its query and what layer 0 gave, best first. */
  private kept: { query: Float64Array; version: number; found: Array<{ slot: number; score: number }> } | undefined;

  /** @throws JottyError `invalid_argument` for a dimension or parameter that is not a positive integer. */
  constructor(options: HnswVectorIndexOptions) {
    const defaults = CONFIG_DEFAULTS.memory.index;
    const { dimensions, m = defaults.m, efConstruction = defaults.efConstruction, efSearch = defaults.efSearch, seed = 42 } = options;
    for (const [name, value] of Object.entries({ dimensions, m, efConstruction, efSearch })) {
      if (!Number.isInteger(value) || value < 1 || (name === "m" && value > 127)) {
        throw new JottyError({ code: "invalid_argument", message: `An HNSW index needs ${name} to be a positive integer${name === "m" ? " up to 127" : ""}, got ${value}.`, details: { [name]: value } });
      }
    }
    if (dimensions > 8192) throw new JottyError({ code: "invalid_argument", message: `The approximate index takes vectors of up to 8,192 dimensions, got ${dimensions}; use the flat index.` });
    this.options = options;
    this.dimensions = dimensions;
    this.efConstruction = efConstruction;
    this.efSearch = efSearch;
    this.seed = Number.isInteger(seed) ? seed : 42;
    this.levelFactor = 1 / Math.log(Math.max(2, m));
    this.capacity = Math.max(16, options.initialCapacity ?? 1024);
    this.rows = new CodeRows({ dimensions, capacity: this.capacity, simd: options.simd !== false });
    this.graph = new HnswGraph(m);
    this.graph.reserve(this.capacity);
    this.walk = new HnswWalk(this.rows, this.graph);
    this.walk.reserve(this.capacity);
    this.tags = { level: new TagColumn(this.capacity), actor: new TagColumn(this.capacity), goal: new TagColumn(this.capacity) };
    this.removed = new Uint8Array(this.capacity);
  }

  get size(): number {
    return this.live;
  }

  holdsExactly(ids: readonly string[]): boolean {
    return sameIds(this.ids, { used: this.used, live: this.live, removed: this.removed, has: (id) => this.slots.has(id) }, ids);
  }

  /** Whether scores come from the SIMD kernel. */
  get simd(): boolean {
    return this.rows.simd;
  }

  private reserve(capacity: number): void {
    if (capacity <= this.capacity) return;
    this.capacity = capacity;
    this.rows.reserve(capacity);
    this.graph.reserve(capacity);
    for (const field of TAG_FIELDS) this.tags[field].grow(capacity);
    const removed = new Uint8Array(capacity);
    removed.set(this.removed);
    this.removed = removed;
    this.walk.reserve(capacity);
  }

  add(id: string, vector: ArrayLike<number>, tags: VectorTags = {}): void {
    if (this.used === this.capacity) this.reserve(grownCapacity(this.capacity));
    const slot = this.used;
    this.rows.write(slot, vector); // throws on a bad vector before anything changes
    const previous = this.slots.get(id);
    if (previous !== undefined) this.drop(id, previous);
    this.used += 1;
    this.ids[slot] = id;
    this.slots.set(id, slot);
    this.removed[slot] = 0;
    for (const field of TAG_FIELDS) this.tags[field].set(slot, tags[field]);
    this.live += 1;
    const searched = this.keptSearchOf(vector);
    this.kept = undefined;
    this.version += 1;
    this.link(slot, searched);
    this.rebuildWhenSparse();
  }

  remove(id: string): boolean {
    const slot = this.slots.get(id);
    if (slot === undefined) return false;
    this.drop(id, slot);
    this.rebuildWhenSparse();
    return true;
  }

  private drop(id: string, slot: number): void {
    this.slots.delete(id);
    this.ids[slot] = undefined;
    this.removed[slot] = 1;
    for (const field of TAG_FIELDS) this.tags[field].release(slot);
    this.live -= 1;
    this.version += 1;
  }

  /** What a `beforeAdd` search of this very vector found, if nothing changed since. */
  private keptSearchOf(vector: ArrayLike<number>): Array<{ slot: number; score: number }> | undefined {
    const kept = this.kept;
    if (kept === undefined || kept.version !== this.version || kept.query.length !== vector.length) return undefined;
    for (let index = 0; index < vector.length; index += 1) if (kept.query[index] !== vector[index]) return undefined;
    return kept.found;
  }

  /** Rebuilds once removed nodes outnumber the live ones (and are over a thousand). */
  private rebuildWhenSparse(): void {
    if (this.used - this.live > Math.max(1000, this.live)) this.rebuild();
  }

  has(id: string): boolean {
    return this.slots.has(id);
  }

  get(id: string): Float32Array | undefined {
    const slot = this.slots.get(id);
    return slot === undefined ? undefined : this.rows.decode(slot);
  }

  clear(): void {
    const fresh = new HnswVectorIndex({ ...this.options, initialCapacity: 16 });
    Object.assign(this, { ...fresh, counters: this.counters });
  }

  search(query: ArrayLike<number>, { k, filter, effort, beforeAdd = false }: { k: number; filter?: VectorFilter; effort?: number; beforeAdd?: boolean }): VectorMatch[] {
    assertFits(query, this.dimensions, "query");
    const limit = Math.min(Math.max(0, Math.floor(k)), this.live);
    if (limit === 0) return [];
    this.rows.setQuery(query);
    const passes = this.passing(filter);
    const keep = beforeAdd && filter === undefined;
    const asked = effort !== undefined && Number.isInteger(effort) && effort > 0 ? effort : this.efSearch;
    const ef = Math.max(asked, limit, keep ? this.efConstruction : 0);
    const passingAtMost = mostPassing(this.tags, filter);
    if (passingAtMost === 0) return []; // no row holds a wanted tag (a team's among actors' memories, say)
    if (passingAtMost <= Math.max(ef * 8, this.live / 100)) {
      this.counters.exactScans += 1;
      return this.exact(passes, limit);
    }
    const [entry] = this.walk.descend(this.graph.entry, this.rows.scoreOne(this.graph.entry), this.graph.maxLevel, 0);
    const found = this.walk.searchLayer([entry], ef, 0, passes, filter === undefined ? Infinity : Math.max(ef * 64, 8192)).drainBestFirst();
    // Linking a layer-0 node walks down and searches layer 0 at this same effort: this walk is that one,
    // scored against the vector itself rather than its stored codes.
    if (keep && ef === this.efConstruction) this.kept = { query: Float64Array.from(query), version: this.version, found };
    if (found.length < limit && filter !== undefined) {
      this.counters.exactFallbacks += 1;
      return this.exact(passes, limit);
    }
    return this.ranked(found.map((match) => match.slot), found.map((match) => match.score), limit);
  }

  /** The best `limit` of the slots by their fine scores (codes and residuals), best first; `scores` are their scores by codes alone. */
  private ranked(slots: number[], scores: number[], limit: number): VectorMatch[] {
    this.rows.refine(slots, slots.length, scores);
    return slots
      .map((slot, index) => ({ slot, score: scores[index] as number }))
      .sort((a, b) => b.score - a.score || a.slot - b.slot)
      .slice(0, limit)
      .map(({ slot, score }) => ({ id: this.ids[slot] as string, score }));
  }

  /** Every vector, with its tags, in the order added (removed ones left out). */
  *entries(): IterableIterator<{ id: string; vector: Float32Array; tags: VectorTags }> {
    for (let slot = 0; slot < this.used; slot += 1) {
      if (this.removed[slot] === 1) continue;
      const tags: VectorTags = {};
      for (const field of TAG_FIELDS) {
        const code = this.tags[field].values[slot] as number;
        if (code >= 0) tags[field] = this.tags[field].known[code] as string;
      }
      yield { id: this.ids[slot] as string, vector: this.rows.decode(slot), tags };
    }
  }

  /** The whole index, graph included, as bytes: {@link HnswVectorIndex.fromBytes} loads it without rebuilding. */
  toBytes(): Uint8Array {
    return joined(this.toPacked());
  }

  /** The bytes of {@link HnswVectorIndex.toBytes} laid out over the index's own arrays, to be written before it changes. */
  toPacked(): Packed {
    const rows = this.used;
    const { codes, scales, fineCodes, fineScales } = this.rows.export(rows);
    const header = {
      format: "jotty-hnsw",
      version: 3,
      dimensions: this.dimensions,
      m: this.graph.m,
      efConstruction: this.efConstruction,
      efSearch: this.efSearch,
      seed: this.seed,
      rows,
      inserted: this.inserted,
      entry: this.graph.entry,
      maxLevel: this.graph.maxLevel,
      ids: this.ids.slice(0, rows).map((id) => id ?? null),
      tags: Object.fromEntries(TAG_FIELDS.map((field) => [field, this.tags[field].known])),
    };
    const tagCodes = TAG_FIELDS.map((field) => this.tags[field].values.subarray(0, rows));
    return packed(header, [codes, scales, fineCodes, fineScales, this.removed.subarray(0, rows), ...tagCodes, ...this.graph.export(rows)]);
  }

  /**
   * Loads an index {@link HnswVectorIndex.toBytes} wrote, with its graph as it was, and room for
   * an eighth more (at least 1,024), so the first adds after a load do not copy every array.
   * Older versions load too: version 2 kept a score with every link (skipped), and version 1 had
   * no residuals either, so its rows are ranked by their codes alone until the graph is rebuilt.
   *
   * @throws JottyError `snapshot_invalid` when the bytes are not such an index.
   */
  static fromBytes(bytes: Uint8Array, overrides: Pick<HnswVectorIndexOptions, "efSearch" | "simd"> = {}): HnswVectorIndex {
    const { header, sections } = unpackSections(bytes, "approximate index");
    const invalid = (why: string): JottyError => new JottyError({ code: "snapshot_invalid", message: `The stored approximate index cannot be read: ${why}. Save the state again to rewrite it.` });
    const { dimensions, m, efConstruction, efSearch, seed, rows, inserted, entry, maxLevel, ids, tags } = header as Record<string, unknown>;
    if (header.format !== "jotty-hnsw" || ![1, 2, 3].includes(header.version as number)) throw invalid("it is not a version 1, 2 or 3 HNSW index");
    if (![dimensions, m, efConstruction, efSearch, rows, inserted].every((value) => Number.isInteger(value) && (value as number) >= 0)) throw invalid("its sizes are not whole numbers");
    const count = rows as number;
    if (!Array.isArray(ids) || ids.length !== count || !ids.every((id) => id === null || typeof id === "string")) throw invalid("its ids do not match its rows");
    const index = new HnswVectorIndex({ dimensions: dimensions as number, m: m as number, efConstruction: efConstruction as number, efSearch: overrides.efSearch ?? (efSearch as number), seed: seed as number, initialCapacity: Math.max(16, count + Math.max(1024, Math.ceil(count / 8))), ...(overrides.simd === undefined ? {} : { simd: overrides.simd }) });
    const withResiduals = header.version !== 1;
    const [codes, scales] = sections;
    const [fineCodes, fineScales] = withResiduals ? sections.slice(2, 4) : [];
    const [removed, level, actor, goal, ...graph] = sections.slice(withResiduals ? 4 : 2);
    const stride = index.rows.stride;
    if (codes?.byteLength !== count * stride || scales?.byteLength !== count * 4 || removed?.byteLength !== count) throw invalid("its vectors do not match its rows");
    if (withResiduals && (fineCodes?.byteLength !== count * stride || fineScales?.byteLength !== count * 4)) throw invalid("its residuals do not match its rows");
    if (![level, actor, goal].every((section) => section?.byteLength === count * 4)) throw invalid("its tags do not match its rows");
    if (!index.graph.import(count, graph, header.version !== 3)) throw invalid("its graph does not match its rows");
    const fine = fineCodes === undefined || fineScales === undefined ? undefined : { codes: typedView(fineCodes, Int8Array), scales: typedView(fineScales, Float32Array) };
    index.rows.import(typedView(codes, Int8Array), typedView(scales, Float32Array), fine);
    index.removed.set(removed);
    const names = (tags ?? {}) as Record<string, unknown>;
    for (const [field, section] of [["level", level], ["actor", actor], ["goal", goal]] as const) {
      const known = names[field];
      if (!Array.isArray(known) || !known.every((name) => typeof name === "string")) throw invalid(`its ${field} tags are not a list of names`);
      index.tags[field] = TagColumn.restore(known, typedView(section as Uint8Array, Int32Array), index.capacity);
    }
    index.used = count;
    index.inserted = inserted as number;
    index.graph.entry = entry as number;
    index.graph.maxLevel = maxLevel as number;
    for (let slot = 0; slot < count; slot += 1) {
      const id = ids[slot] as string | null;
      if (id === null || index.removed[slot] === 1) continue;
      index.ids[slot] = id;
      index.slots.set(id, slot);
      index.live += 1;
    }
    for (const field of TAG_FIELDS) index.tags[field].recount((slot) => index.removed[slot] === 0, count);
    return index;
  }

  /**
   * Links a new node into the graph. `searched`: what a search of its vector found on layer 0
   * with nothing changed since, used instead of searching again for a node placed on layer 0 only.
   */
  private link(slot: number, searched: Array<{ slot: number; score: number }> | undefined): void {
    const level = Math.min(MAX_LEVEL, Math.floor(-Math.log(uniform(this.seed, this.inserted)) * this.levelFactor));
    this.inserted += 1;
    const graph = this.graph;
    graph.place(slot, level);
    if (graph.entry < 0) {
      graph.entry = slot;
      graph.maxLevel = level;
      return;
    }
    const reuse = level === 0 ? searched : undefined;
    let entries: number[] = [];
    if (reuse !== undefined) this.counters.searchesReused += 1;
    else {
      this.rows.setQueryFromRow(slot);
      entries = [this.walk.descend(graph.entry, this.rows.scoreOne(graph.entry), graph.maxLevel, level)[0]];
    }
    const live = (other: number): boolean => this.removed[other] === 0 && other !== slot;
    for (let layer = Math.min(level, graph.maxLevel); layer >= 0; layer -= 1) {
      const found = reuse ?? this.walk.searchLayer(entries, this.efConstruction, layer, live, Infinity).drainBestFirst();
      const chosen = this.walk.diverse(found, layer === 0 ? graph.m0 : graph.m);
      graph.setLinks(slot, layer, chosen);
      for (const { slot: other } of chosen) if (!graph.addLink(other, layer, slot)) this.prune(other, layer, slot);
      if (found.length > 0) entries = found.map((match) => match.slot);
      this.rows.setQueryFromRow(slot);
    }
    if (level > graph.maxLevel) {
      graph.entry = slot;
      graph.maxLevel = level;
    }
  }

  /** Prunes a full list back, by the rule a new node's links are chosen by, from its links and one more; the query is left changed. */
  private prune(slot: number, layer: number, extra: number): void {
    const pool = this.pool;
    pool.length = 0;
    this.graph.linksOf(slot, layer, pool);
    pool.push(extra);
    this.rows.setQueryFromRow(slot);
    this.rows.score(pool, pool.length, this.poolScores);
    const ranked = pool.map((other, index) => ({ slot: other, score: this.poolScores[index] as number })).sort((a, b) => b.score - a.score);
    this.graph.setLinks(slot, layer, this.walk.diverse(ranked, layer === 0 ? this.graph.m0 : this.graph.m));
  }

  /** A check of a node against a filter (removed nodes never pass). */
  private passing(filter: VectorFilter | undefined): (slot: number) => boolean {
    return rowFilter(this.tags, filter, (slot) => this.ids[slot] as string, this.removed);
  }

  /** Every passing node scored: the best `limit`. */
  private exact(passes: (slot: number) => boolean, limit: number): VectorMatch[] {
    const passing: number[] = [];
    for (let slot = 0; slot < this.used; slot += 1) if (passes(slot)) passing.push(slot);
    const scores: number[] = [];
    this.rows.score(passing, passing.length, scores);
    return this.ranked(passing, scores, limit);
  }

  /** Builds the graph again from the live nodes only. */
  private rebuild(): void {
    const kept = [...this.entries()];
    const fresh = new HnswVectorIndex({ ...this.options, initialCapacity: Math.max(16, kept.length) });
    for (const { id, vector, tags } of kept) fresh.add(id, vector, tags);
    this.counters.rebuilds += 1;
    Object.assign(this, { ...fresh, counters: this.counters });
  }
}
