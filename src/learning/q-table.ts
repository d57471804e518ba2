import { CONFIG_DEFAULTS, type MemoryConfig } from "../config/index.js";
import { embedderId, embedTexts, packSections, TieredVectorIndex, typedView, unpackSections, zeroHnswCounters, type Embedder, type HnswCounters, type VectorMatch } from "../embeddings/index.js";
import { errorMessage } from "../errors/index.js";
import type { Owner } from "../util/index.js";
import type { QEntry } from "./q-entry.js";
import { normalizeText, pairKey } from "./text-key.js";
import { rangeOf, valueExtremes } from "./value-range.js";

/** What changed in the Q-table: told to {@link QPredictor.onChange} listeners (the audit log's source). */
export interface QChange {
  action: "create" | "update" | "delete";
  /** The pair's key (normalised state and action). */
  key: string;
  owner?: Owner;
}

/**
 * The entries of a Q-predictor by pair key, indexed by (normalised) state, with the vectors of
 * states and actions when there is an embedder, and the listeners told of every change.
 */
export class QTable {
  readonly embedder: Embedder | undefined;
  private readonly entries = new Map<string, QEntry>();
  private readonly keysByState = new Map<string, Set<string>>();
  private stateIndex: TieredVectorIndex | undefined;
  private readonly indexSettings: MemoryConfig["index"];
  private readonly actionVectors = new Map<string, Float32Array>();
  private readonly listeners = new Set<(change: QChange) => void>();
  /** The lowest and highest value of the entries; undefined when an extreme moved inward and they are to be found again. */
  private extremes: { low: number; high: number } | undefined = { low: Infinity, high: -Infinity };

  /**
   * @param embedder - without one, no vectors are kept and nothing is near anything.
   * @param indexSettings - the index of the states' vectors (exact while small, HNSW beyond).
   */
  constructor(embedder: Embedder | undefined, indexSettings: MemoryConfig["index"] = CONFIG_DEFAULTS.memory.index) {
    this.embedder = embedder;
    this.indexSettings = indexSettings;
  }



  /** Number of entries. */
  get size(): number {
    return this.entries.size;
  }

  /** Which index holds the states' vectors: `none` before the first state or without an embedder. */
  get indexKind(): "exact" | "approximate" | "none" {
    return this.stateIndex?.kind ?? "none";
  }

  /** How the states' index rebuilt or searched another way than its graph (zeros while exact). */
  indexCounters(): HnswCounters {
    return this.stateIndex?.counters ?? zeroHnswCounters();
  }

  /** The entry of a pair key (the table's own object, not a copy). */
  get(key: string): QEntry | undefined {
    return this.entries.get(key);
  }

  /** The entry of a (state, action) pair (the table's own object, not a copy). */
  find(state: string, action: string): QEntry | undefined {
    return this.entries.get(pairKey(state, action));
  }

  /** Every entry, in insertion order. */
  values(): IterableIterator<QEntry> {
    return this.entries.values();
  }

  /** Every (key, entry), in insertion order. */
  pairs(): IterableIterator<[string, QEntry]> {
    return this.entries.entries();
  }

  /** The entries of a state (its normalised text). */
  entriesOf(normalisedState: string): QEntry[] {
    const found: QEntry[] = [];
    for (const key of this.keysByState.get(normalisedState) ?? []) found.push(this.entries.get(key) as QEntry);
    return found;
  }

  /** Subscribes to every entry created, updated or removed; returns the unsubscribe function. */
  onChange(listener: (change: QChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * The range values are read against: the reward range when one is configured, else the
   * lowest and highest value in the table (one wider either way when they are equal), as
   * `valueRange` gives. Kept as entries come and change, so reading it does not walk the table.
   */
  valueRange(rewardRange: readonly [number, number] | undefined): [number, number] {
    return rangeOf(rewardRange, () => (this.extremes ??= valueExtremes(this.entries.values())));
  }

  /** Takes a value into the kept extremes; a value that held one and moved inward (`previous`) makes them be found again. */
  private track(value: number, previous?: number): void {
    if (this.extremes === undefined) return;
    const { low, high } = this.extremes;
    if (previous !== undefined && ((previous === low && value > previous) || (previous === high && value < previous))) {
      this.extremes = undefined;
      return;
    }
    this.extremes = { low: Math.min(low, value), high: Math.max(high, value) };
  }

  /**
   * Tells the listeners that an entry changed. An update names the value it had before
   * (`previous`); without it the table finds its extremes again when next asked.
   */
  changed(action: QChange["action"], key: string, entry: QEntry, previous?: number): void {
    if (action === "update") {
      if (previous === undefined) this.extremes = undefined;
      else this.track(entry.value, previous);
    }
    for (const listener of this.listeners) listener({ action, key, ...(entry.owner === undefined ? {} : { owner: { ...entry.owner } }) });
  }

  /** Adds an entry under its key and indexes its state and action (no listener is told). */
  async add(entry: QEntry): Promise<void> {
    const key = pairKey(entry.state, entry.action);
    const replaced = this.entries.get(key);
    this.entries.set(key, entry);
    if (replaced === undefined) this.track(entry.value);
    else this.extremes = undefined;
    const state = normalizeText(entry.state);
    let keys = this.keysByState.get(state);
    if (keys === undefined) {
      keys = new Set();
      this.keysByState.set(state, keys);
      // A state whose vector was loaded ({@link QTable.loadVectors}) is not embedded again.
      if (this.embedder !== undefined && this.stateIndex?.has(state) !== true) {
        const vector = await this.stateVector(state);
        this.stateIndex ??= new TieredVectorIndex({ dimensions: vector.length, ...this.indexSettings });
        this.stateIndex.add(state, vector);
      }
    }
    keys.add(key);
    if (this.embedder !== undefined) await this.actionVector(entry.action);
  }

  /** Removes an entry and tells the listeners; a state left without entries leaves the index. */
  remove(key: string): void {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    this.entries.delete(key);
    if (this.extremes !== undefined && (entry.value === this.extremes.low || entry.value === this.extremes.high)) this.extremes = undefined;
    this.changed("delete", key, entry);
    const state = normalizeText(entry.state);
    const keys = this.keysByState.get(state);
    keys?.delete(key);
    if (keys !== undefined && keys.size === 0) {
      this.keysByState.delete(state);
      this.stateIndex?.remove(state);
    }
  }

  /** Whether states can be searched by similarity (an embedder and at least one state). */
  get searchable(): boolean {
    return this.embedder !== undefined && this.stateIndex !== undefined && this.stateIndex.size > 0;
  }

  /** The known states most similar to a vector (their normalised texts as ids); none when not {@link QTable.searchable}. */
  nearStates(vector: Float32Array, k: number): VectorMatch[] {
    return this.searchable ? (this.stateIndex as TieredVectorIndex).search(vector, { k }) : [];
  }

  /** The states' index and the actions' vectors as bytes (undefined without an embedder or before the first entry). */
  vectorBytes(): Uint8Array | undefined {
    if (this.embedder === undefined || this.stateIndex === undefined) return undefined;
    const actions = [...this.actionVectors.keys()];
    const rows = new Float32Array(actions.length * this.stateIndex.dimensions);
    actions.forEach((action, position) => rows.set(this.actionVectors.get(action) as Float32Array, position * this.stateIndex!.dimensions));
    const header = { format: "jotty-q-vectors", version: 1, embedder: embedderId(this.embedder), actions };
    return packSections(header, [this.stateIndex.toPacked(), rows]);
  }

  /**
   * Loads {@link QTable.vectorBytes} into an empty table, so the entries added next are not
   * embedded again; returns why not when they do not fit (another embedder, damaged bytes).
   */
  loadVectors(bytes: Uint8Array): string | undefined {
    if (this.embedder === undefined) return "the predictor has no embedder";
    if (this.entries.size > 0) return "the table holds entries already";
    try {
      const { header, sections } = unpackSections(bytes, "Q-predictor vectors");
      const actions = header.actions;
      if (header.format !== "jotty-q-vectors" || header.version !== 1 || sections.length !== 2 || !Array.isArray(actions)) return "the stored vectors are not version 1 Q-predictor vectors";
      if (header.embedder !== embedderId(this.embedder)) return `the stored vectors were made by ${String(header.embedder)}, not by ${embedderId(this.embedder)}`;
      const index = TieredVectorIndex.fromBytes(sections[0] as Uint8Array, this.indexSettings);
      const rows = typedView(sections[1] as Uint8Array, Float32Array);
      if (rows.length !== actions.length * index.dimensions || !actions.every((action) => typeof action === "string")) return "the stored action vectors do not match their names";
      this.stateIndex = index;
      (actions as string[]).forEach((action, position) => this.actionVectors.set(action, rows.slice(position * index.dimensions, (position + 1) * index.dimensions)));
      return undefined;
    } catch (error) {
      return errorMessage(error);
    }
  }

  /** Drops loaded state vectors no entry has (after a restore from {@link QTable.loadVectors}). */
  dropUnusedVectors(): void {
    if (this.stateIndex === undefined || this.stateIndex.size === this.keysByState.size) return;
    for (const { id } of [...this.stateIndex.entries()]) if (!this.keysByState.has(id)) this.stateIndex.remove(id);
  }

  /** The vector of a (normalised) state text, from the embedding cache when it was asked for lately. */
  async stateVector(text: string): Promise<Float32Array> {
    return (await this.vectorsOf([text]))[0] as Float32Array;
  }

  /** The vector of an action's normalised text, kept once computed. */
  async actionVector(action: string): Promise<Float32Array> {
    const key = normalizeText(action);
    let vector = this.actionVectors.get(key);
    if (vector === undefined) {
      [vector] = (await this.vectorsOf([key])) as [Float32Array];
      this.actionVectors.set(key, vector);
    }
    return vector;
  }

  /** The vector of the normalised action of a known entry. */
  knownActionVector(normalisedAction: string): Float32Array {
    return this.actionVectors.get(normalisedAction) as Float32Array;
  }

  private async vectorsOf(texts: readonly string[]): Promise<Float32Array[]> {
    return this.embedder === undefined ? [] : embedTexts(this.embedder, texts);
  }
}
