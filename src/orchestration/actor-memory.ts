import { JottyError } from "../errors/index.js";
import type { HierarchicalMemory, MemoryEntry, MemoryLevel, RetrievedMemory, StoreMemoryInput, StoreMemoryResult } from "../memory/index.js";
import type { Owner } from "../util/index.js";

/** Which memory a read looks in. */
export type MemoryScope = "local" | "shared" | "all";

/** A retrieved memory and the memory it came from. */
export type ScopedMemory = RetrievedMemory & { scope: "local" | "shared" };

/**
 * What an actor can do with memory: read its own local memory and the team's shared one,
 * write its own. Memories of other actors are out of reach by construction — their local
 * memories are never handed to it, and memories in the shared one owned by another actor are
 * filtered out of every read.
 *
 * @example
 * ```ts
 * async act(context) {
 *   const recalled = await context.memory.retrieve({ goal: context.goal, k: 3 });
 *   await context.memory.store({ level: "episodic", content: "dt is the partition column" });
 * }
 * ```
 */
export class ActorMemory {
  constructor(
    /** The actor this view belongs to. */
    readonly actor: string,
    private readonly local: HierarchicalMemory,
    private readonly shared: HierarchicalMemory,
    private readonly owner: Owner = {},
    /** False in frozen inference: reads count no accesses and writes are refused. */
    private readonly learning = true,
  ) {}

  private sources(scope: MemoryScope): Array<["local" | "shared", HierarchicalMemory]> {
    if (scope !== "local" && scope !== "shared" && scope !== "all") {
      throw new JottyError({ code: "invalid_argument", message: `Unknown memory scope "${String(scope)}"; use local, shared or all.` });
    }
    return scope === "local" ? [["local", this.local]] : scope === "shared" ? [["shared", this.shared]] : [["local", this.local], ["shared", this.shared]];
  }

  /** The memories most useful for a goal from the actor's own and the shared memory, best first. */
  async retrieve({
    goal,
    query,
    k = 5,
    levels,
    scope = "all",
  }: {
    goal: string;
    query?: string;
    k?: number;
    levels?: readonly MemoryLevel[];
    scope?: MemoryScope;
  }): Promise<ScopedMemory[]> {
    const found: ScopedMemory[] = [];
    for (const [name, memory] of this.sources(scope)) {
      const memories = await memory.retrieve({
        goal,
        k,
        record: this.learning,
        visibleTo: this.actor,
        ...(query === undefined ? {} : { query }),
        ...(levels === undefined ? {} : { levels }),
      });
      found.push(...memories.map((entry) => ({ ...entry, scope: name })));
    }
    return found.sort((a, b) => b.score - a.score).slice(0, k);
  }

  /** Memories matching a text (by meaning, and by spelling with `fuzzy`), best first. */
  async search({
    text,
    k = 10,
    fuzzy = false,
    minScore,
    scope = "all",
  }: {
    text: string;
    k?: number;
    fuzzy?: boolean;
    /** Weakest match kept. @default 0.3 */
    minScore?: number;
    scope?: MemoryScope;
  }): Promise<Array<{ entry: MemoryEntry; score: number; scope: "local" | "shared" }>> {
    const found: Array<{ entry: MemoryEntry; score: number; scope: "local" | "shared" }> = [];
    for (const [name, memory] of this.sources(scope)) {
      const matches = await memory.search({ text, k, fuzzy, visibleTo: this.actor, ...(minScore === undefined ? {} : { minScore }) });
      found.push(...matches.map((match) => ({ entry: match.entry, score: match.score, scope: name })));
    }
    return found.sort((a, b) => b.score - a.score).slice(0, k);
  }

  /** A copy of one memory the actor may read, or undefined (also for another actor's memory). */
  get(id: string): MemoryEntry | undefined {
    for (const [, memory] of this.sources("all")) {
      const entry = memory.peek(id);
      if (entry !== undefined && (entry.metadata.actor === undefined || entry.metadata.actor === this.actor)) return memory.get(id);
    }
    return undefined;
  }

  /**
   * Stores a memory in the actor's own memory, owned by it (and the team's user and tenant).
   *
   * @throws JottyError `invalid_argument` when the input names another actor, or during
   *   evaluation (frozen: nothing may change); whatever `HierarchicalMemory.store` throws.
   */
  async store(input: Omit<StoreMemoryInput, "actor"> & { actor?: string }): Promise<StoreMemoryResult> {
    if (input.actor !== undefined && input.actor !== this.actor) {
      throw new JottyError({
        code: "invalid_argument",
        message: `${this.actor} cannot write a memory owned by "${input.actor}"; an actor writes only its own memory. Leave actor out.`,
      });
    }
    if (!this.learning) {
      throw new JottyError({ code: "invalid_argument", message: `${this.actor} cannot store memories while learning is off (evaluation or DISABLED mode).` });
    }
    return this.local.store({ ...this.owner, ...input, actor: this.actor });
  }
}
