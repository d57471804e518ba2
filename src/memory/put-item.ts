import { baseEmbedder } from "../embeddings/index.js";
import { embedOne } from "./embed-one.js";
import { makeRoom } from "./make-room.js";
import { itemId, type MemoryEntry } from "./memory-entry.js";
import { defaultKind, type MemoryLevel } from "./memory-level.js";
import type { MemoryParts } from "./memory-parts.js";

/** A keyed item, as {@link HierarchicalMemory.putItem} takes it. */
export interface PutItemInput {
  level: MemoryLevel;
  actor?: string;
  key: string;
  content: string;
  payload: Record<string, unknown>;
}

/**
 * Writes a keyed item (the body of {@link HierarchicalMemory.putItem}): creates it, or replaces
 * the content and payload of the item with this key while keeping what was learned about it.
 * Keys are the identity here, so there is no de-duplication by content.
 *
 * @throws JottyError `capacity_exceeded` when the level is full of protected memories.
 */
export async function putItem(
  { table, embedder, settings, clock }: Pick<MemoryParts, "table" | "embedder" | "settings" | "clock">,
  { level, actor, key, content, payload }: PutItemInput,
): Promise<string> {
  const id = itemId(level, actor, key);
  const vector = await embedOne(baseEmbedder(embedder), content);
  const now = clock.now();
  const existing = table.get(id);
  if (existing !== undefined) {
    table.replaceContent(existing, { content, vector });
    existing.metadata.payload = structuredClone(payload);
    existing.updatedAt = now;
    table.changed(existing, "update", "item");
    return id;
  }
  makeRoom({ table, level, capacity: settings.capacities[level], incoming: 1 });
  const created: MemoryEntry = {
    id,
    level,
    kind: defaultKind(level),
    content,
    metadata: {
      domain: "store",
      taskType: "item",
      ...(actor === undefined ? {} : { actor }),
      sourceEpisodes: [],
      key,
      payload: structuredClone(payload),
    },
    values: {},
    accessCount: 0,
    lastAccess: null,
    createdAt: now,
    updatedAt: now,
    timesStored: 1,
    protected: level === "meta",
    causalLinks: [],
    sources: [],
  };
  table.insert(created, vector);
  table.changed(created, "create", "item");
  return id;
}
