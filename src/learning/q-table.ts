import { embedTexts, FlatVectorIndex, type Embedder, type VectorMatch } from "../embeddings/index.js";
import type { Owner } from "../util/index.js";
import type { QEntry } from "./q-entry.js";
import { normalizeText, pairKey } from "./text-key.js";

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
  private stateIndex: FlatVectorIndex | undefined;
  private readonly actionVectors = new Map<string, Float32Array>();
  private readonly listeners = new Set<(change: QChange) => void>();

  /** @param embedder - without one, no vectors are kept and nothing is near anything. */
  constructor(embedder: Embedder | undefined) {
    this.embedder = embedder;
  }

  /** Number of entries. */
  get size(): number {
    return this.entries.size;
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
    return [...(this.keysByState.get(normalisedState) ?? [])].map((key) => this.entries.get(key) as QEntry);
  }

  /** Subscribes to every entry created, updated or removed; returns the unsubscribe function. */
  onChange(listener: (change: QChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Tells the listeners that an entry changed. */
  changed(action: QChange["action"], key: string, entry: QEntry): void {
    for (const listener of this.listeners) listener({ action, key, ...(entry.owner === undefined ? {} : { owner: { ...entry.owner } }) });
  }

  /** Adds an entry under its key and indexes its state and action (no listener is told). */
  async add(entry: QEntry): Promise<void> {
    const key = pairKey(entry.state, entry.action);
    this.entries.set(key, entry);
    const state = normalizeText(entry.state);
    let keys = this.keysByState.get(state);
    if (keys === undefined) {
      keys = new Set();
      this.keysByState.set(state, keys);
      if (this.embedder !== undefined) {
        const vector = await this.stateVector(state);
        this.stateIndex ??= new FlatVectorIndex({ dimensions: vector.length });
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
    return this.searchable ? (this.stateIndex as FlatVectorIndex).search(vector, { k }) : [];
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
