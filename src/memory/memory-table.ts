import type { VectorIndex } from "../embeddings/index.js";
import { JottyError } from "../errors/index.js";
import type { ChangeListener, MemoryChange } from "./memory-change.js";
import type { MemoryEntry } from "./memory-entry.js";
import { MEMORY_LEVELS, type MemoryLevel } from "./memory-level.js";
import { TermIndex } from "./term-index.js";

/**
 * The memories of a {@link HierarchicalMemory} and every index kept over them: by id, by level,
 * by vector, by term and by incoming causal link. Entries enter and leave only through
 * {@link MemoryTable.insert} and {@link MemoryTable.remove}, so the indexes never drift apart;
 * their fields are changed in place by the operations that own them.
 */
export class MemoryTable {
  /** Name of the memory, for error messages. */
  readonly name: string;
  private readonly createIndex: (dimensions: number) => VectorIndex;
  private vectors: VectorIndex | undefined;
  private readonly entries = new Map<string, MemoryEntry>();
  private readonly byLevel: Record<MemoryLevel, Set<string>> = {
    episodic: new Set(),
    semantic: new Set(),
    procedural: new Set(),
    meta: new Set(),
    causal: new Set(),
  };
  /** Terms of every memory for fuzzy search: built on the first one, then kept up to date. */
  private terms: TermIndex | undefined;
  /** target id → ids of memories linking to it, so removal can drop dangling links. */
  private readonly linkedFrom = new Map<string, Set<string>>();
  /** Bumped on every write to a level, which makes the cached searches covering it stale. */
  private readonly levelVersions: Record<MemoryLevel, number> = { episodic: 0, semantic: 0, procedural: 0, meta: 0, causal: 0 };
  private readonly changeListeners = new Set<ChangeListener>();

  /**
   * @param options - the memory's name and the factory of its vector index, built on the first
   *   vector because only then are its dimensions known.
   */
  constructor(options: { name: string; createIndex: (dimensions: number) => VectorIndex }) {
    this.name = options.name;
    this.createIndex = options.createIndex;
  }

  /** Number of memories. */
  get size(): number {
    return this.entries.size;
  }

  /** The vector index, or undefined before the first memory. */
  get index(): VectorIndex | undefined {
    return this.vectors;
  }

  /** The vector index, built for `dimensions` when there is none yet. */
  indexFor(dimensions: number): VectorIndex {
    if (this.vectors === undefined) this.vectors = this.createIndex(dimensions);
    return this.vectors;
  }

  /** One memory, uncopied, or undefined. */
  get(id: string): MemoryEntry | undefined {
    return this.entries.get(id);
  }

  /** Whether a memory exists. */
  has(id: string): boolean {
    return this.entries.has(id);
  }

  /**
   * One memory, uncopied.
   *
   * @throws JottyError `memory_not_found` for an unknown id.
   */
  require(id: string): MemoryEntry {
    const entry = this.entries.get(id);
    if (entry === undefined) {
      throw new JottyError({
        code: "memory_not_found",
        message: `No memory with id "${id}" in the ${this.name} memory; it may have been evicted or pruned.`,
        details: { id, memory: this.name },
      });
    }
    return entry;
  }

  /** Every memory, uncopied, in insertion order. */
  values(): IterableIterator<MemoryEntry> {
    return this.entries.values();
  }

  /** Every id, in insertion order. */
  keys(): IterableIterator<string> {
    return this.entries.keys();
  }

  /** Ids of one level, in insertion order. */
  idsOf(level: MemoryLevel): ReadonlySet<string> {
    return this.byLevel[level];
  }

  /**
   * Starts an empty table from a loaded vector index and the memories whose vectors it holds
   * (the caller has checked that it holds exactly theirs, so they are not looked up one by one).
   *
   * @throws JottyError `invalid_argument` when there are memories already.
   */
  adopt(index: VectorIndex, entries: Iterable<MemoryEntry>): void {
    if (this.entries.size > 0) throw new JottyError({ code: "invalid_argument", message: `The ${this.name} memory already holds memories; a loaded index can only start an empty one.` });
    this.vectors = index;
    for (const entry of entries) this.place(entry);
  }

  /** Adds a memory and its vector to every index; the caller tells listeners, with its own reason. */
  insert(entry: MemoryEntry, vector: Float32Array): void {
    this.indexFor(vector.length).add(entry.id, vector, {
      level: entry.level,
      ...(entry.metadata.actor === undefined ? {} : { actor: entry.metadata.actor }),
    });
    this.place(entry);
  }

  /** Enters a memory whose vector is in the index into every other index. */
  private place(entry: MemoryEntry): void {
    this.levelVersions[entry.level] += 1;
    this.entries.set(entry.id, entry);
    this.terms?.add(entry.id, entry.content);
    this.byLevel[entry.level].add(entry.id);
    for (const link of entry.causalLinks) this.noteLink(entry.id, link.target);
  }

  /**
   * Gives a memory new content and its vector, in place; the caller tells listeners. The vector
   * is tagged with the entry's own actor, as when it was stored, so the index's actor filter
   * and {@link isVisible} keep agreeing (an item id names no actor and "" alike, so the writer's
   * actor may be the other one).
   */
  replaceContent(entry: MemoryEntry, { content, vector }: { content: string; vector: Float32Array }): void {
    entry.content = content;
    this.terms?.add(entry.id, content);
    this.levelVersions[entry.level] += 1;
    const actor = entry.metadata.actor;
    this.indexFor(vector.length).add(entry.id, vector, { level: entry.level, ...(actor === undefined ? {} : { actor }) });
  }

  /** Removes a memory from every index, drops the links pointing to it and tells listeners. */
  remove(id: string, reason: "evicted" | "deleted" | "pruned"): void {
    const entry = this.entries.get(id);
    if (entry === undefined) return;
    this.levelVersions[entry.level] += 1;
    this.entries.delete(id);
    this.terms?.remove(id);
    this.byLevel[entry.level].delete(id);
    this.vectors?.remove(id);
    for (const link of entry.causalLinks) this.linkedFrom.get(link.target)?.delete(id);
    for (const source of this.linkedFrom.get(id) ?? []) {
      const linking = this.entries.get(source);
      if (linking !== undefined) linking.causalLinks = linking.causalLinks.filter((link) => link.target !== id);
    }
    this.linkedFrom.delete(id);
    this.changed(entry, "delete", reason);
  }

  /** Records that `from` links to `to`, so removing `to` finds the link to drop. */
  noteLink(from: string, to: string): void {
    let sources = this.linkedFrom.get(to);
    if (sources === undefined) {
      sources = new Set();
      this.linkedFrom.set(to, sources);
    }
    sources.add(from);
  }

  /** Ids of the memories holding at least one causal link. */
  linking(): Set<string> {
    return new Set([...this.linkedFrom.values()].flatMap((sources) => [...sources]));
  }

  /** The term index, built from every memory on first use so memories never searched by spelling cost nothing. */
  termIndex(): TermIndex {
    if (this.terms === undefined) {
      this.terms = new TermIndex();
      for (const entry of this.entries.values()) this.terms.add(entry.id, entry.content);
    }
    return this.terms;
  }

  /** The versions of some levels (all by default): a search made at another stamp may be stale. */
  stamp(levels: readonly MemoryLevel[] = MEMORY_LEVELS): string {
    return levels.map((level) => `${level}:${this.levelVersions[level]}`).join(",");
  }

  /** Subscribes to every create, update and delete; returns the unsubscribe function. */
  onChange(listener: ChangeListener): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /** Tells the change listeners about a memory. */
  changed(entry: Readonly<MemoryEntry>, action: MemoryChange["action"], reason: MemoryChange["reason"]): void {
    if (this.changeListeners.size === 0) return;
    const change: MemoryChange = { action, id: entry.id, level: entry.level, reason, ...(entry.metadata.actor === undefined ? {} : { actor: entry.metadata.actor }) };
    for (const listener of this.changeListeners) listener(change);
  }
}
