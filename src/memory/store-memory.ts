import { z } from "zod";
import { baseEmbedder } from "../embeddings/index.js";
import { issueList, JottyError } from "../errors/index.js";
import type { Clock } from "../util/index.js";
import { embedOne } from "./embed-one.js";
import { makeRoom } from "./make-room.js";
import { memoryId, type MemoryEntry } from "./memory-entry.js";
import { defaultKind, INITIAL_VALUES, MemoryKindSchema, MemoryLevelSchema } from "./memory-level.js";
import type { MemoryParts } from "./memory-parts.js";
import type { MemoryTable } from "./memory-table.js";

/**
 * The least number of candidates an approximate index keeps when looking for a near duplicate
 * (it keeps its insert effort when that is more, so the add reuses the search), and how many
 * nearest are checked.
 */
const NEAR_DUPLICATE_EFFORT = 32;
const NEAR_DUPLICATE_CANDIDATES = 8;

/** What {@link HierarchicalMemory.store} takes. */
export const StoreMemoryInputSchema = z.strictObject({
  content: z.string().trim().min(1, "must not be empty"),
  level: MemoryLevelSchema,
  kind: MemoryKindSchema.optional(),
  domain: z.string().min(1).default("general"),
  taskType: z.string().min(1).default("general"),
  /** The owning actor; an actor's memory holds only its own. */
  actor: z.string().min(1).optional(),
  /** The user and tenant it is made for. */
  user: z.string().min(1).optional(),
  tenant: z.string().min(1).optional(),
  sourceEpisode: z.string().min(1).optional(),
  /** Goal the initial value is for. */
  goal: z.string().min(1).optional(),
  /** Initial value for `goal`, instead of the kind's default. */
  value: z.number().min(0).max(1).optional(),
  protected: z.boolean().optional(),
});

/** What {@link HierarchicalMemory.store} takes. */
export type StoreMemoryInput = z.input<typeof StoreMemoryInputSchema>;

/** What a store did. */
export interface StoreMemoryResult {
  /** The id of the memory now holding the content. */
  id: string;
  /** `added` a new memory, `reinforced` an identical one, or `merged` into a near-identical one. */
  status: "added" | "reinforced" | "merged";
  /** Memories evicted to make room. */
  evicted: string[];
}

/**
 * Stores a memory (the body of {@link HierarchicalMemory.store}): an identical one of the same
 * actor is reinforced, a near-identical one of the same level and actor absorbs it, else it is added,
 * evicting to make room.
 *
 * @throws JottyError `invalid_argument` on bad input, `capacity_exceeded` when the level is
 *   full of protected memories; nothing changes then.
 */
export async function storeMemory(parts: MemoryParts, input: StoreMemoryInput): Promise<StoreMemoryResult> {
  const { table, goals, embedder, settings, clock } = parts;
  const parsed = StoreMemoryInputSchema.safeParse(input);
  if (!parsed.success) {
    throw new JottyError({
      code: "invalid_argument",
      message: `Cannot store this memory: ${issueList(parsed.error, { root: "(input)" }).join("; ")}.`,
    });
  }
  const memory = parsed.data;
  if (memory.goal !== undefined) await goals.ensure(memory.goal);
  const id = memoryId({ domain: memory.domain, taskType: memory.taskType, level: memory.level, content: memory.content, actor: memory.actor });
  if (table.has(id)) {
    reinforce({ table, clock, id, memory, reason: "reinforced" });
    return { id, status: "reinforced", evicted: [] };
  }
  const vector = await embedOne(baseEmbedder(embedder), memory.content);
  const index = table.indexFor(vector.length);
  // Another store of the same content may have finished while this one was embedding.
  if (table.has(id)) {
    reinforce({ table, clock, id, memory, reason: "reinforced" });
    return { id, status: "reinforced", evicted: [] };
  }
  // Near duplicates are looked for within the same level and owner: two actors' alike experiences
  // stay two. A near duplicate is among the very nearest vectors of any kind, so the few nearest
  // are asked for (with a small effort, for an approximate index) and checked for level and
  // owner: the check costs about a top-1 query, not a scan. Only when all of them are near
  // duplicates of other levels or owners is the filtered search needed. The search is the one
  // the add below needs to link the vector in (`beforeAdd`), so a new memory is searched once.
  const sameOwner = (other: string): boolean => {
    const entry = table.get(other) as MemoryEntry;
    return entry.level === memory.level && entry.metadata.actor === memory.actor;
  };
  const nearestFew = index.search(vector, { k: NEAR_DUPLICATE_CANDIDATES, effort: NEAR_DUPLICATE_EFFORT, beforeAdd: true });
  let nearest = nearestFew.find((match) => sameOwner(match.id));
  const crowded = nearestFew.length === NEAR_DUPLICATE_CANDIDATES && (nearestFew.at(-1)?.score ?? 0) >= settings.nearDuplicateThreshold;
  if (nearest === undefined && crowded) [nearest] = index.search(vector, { k: 1, filter: { level: memory.level, actor: memory.actor ?? null } });
  if (nearest !== undefined && nearest.score >= settings.nearDuplicateThreshold) {
    reinforce({ table, clock, id: nearest.id, memory, reason: "merged" });
    return { id: nearest.id, status: "merged", evicted: [] };
  }

  const evicted = makeRoom({ table, level: memory.level, capacity: settings.capacities[memory.level], incoming: 1 });
  const now = clock.now();
  const kind = memory.kind ?? defaultKind(memory.level);
  const entry: MemoryEntry = {
    id,
    level: memory.level,
    kind,
    content: memory.content,
    metadata: {
      domain: memory.domain,
      taskType: memory.taskType,
      ...(memory.actor === undefined ? {} : { actor: memory.actor }),
      ...(memory.user === undefined ? {} : { user: memory.user }),
      ...(memory.tenant === undefined ? {} : { tenant: memory.tenant }),
      sourceEpisodes: memory.sourceEpisode === undefined ? [] : [memory.sourceEpisode],
    },
    values:
      memory.goal === undefined ? {} : { [memory.goal]: { value: (memory.value ?? INITIAL_VALUES[kind]) + 0, visits: 0 } },
    accessCount: 0,
    lastAccess: null,
    createdAt: now,
    updatedAt: now,
    timesStored: 1,
    protected: memory.protected ?? memory.level === "meta",
    causalLinks: [],
    sources: [],
  };
  table.insert(entry, vector);
  table.changed(entry, "create", "stored");
  return { id, status: "added", evicted };
}

/**
 * Counts another store of a memory. Only what the memory lacks is taken from the new store (its
 * source episode, a first value for its goal), so a repeat never overwrites what was learned;
 * protection can be added, never lifted.
 */
function reinforce({
  table,
  clock,
  id,
  memory,
  reason,
}: {
  table: MemoryTable;
  clock: Clock;
  id: string;
  memory: z.output<typeof StoreMemoryInputSchema>;
  reason: "reinforced" | "merged";
}): void {
  const entry = table.require(id);
  entry.timesStored += 1;
  entry.updatedAt = clock.now();
  if (memory.sourceEpisode !== undefined && !entry.metadata.sourceEpisodes.includes(memory.sourceEpisode)) {
    entry.metadata.sourceEpisodes.push(memory.sourceEpisode);
  }
  if (memory.goal !== undefined && memory.value !== undefined && entry.values[memory.goal] === undefined) {
    entry.values[memory.goal] = { value: memory.value + 0, visits: 0 };
  }
  if (memory.protected === true) entry.protected = true;
  table.changed(entry, "update", reason);
}
