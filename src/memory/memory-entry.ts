import { createHash } from "node:crypto";
import { z } from "zod";
import { MemoryKindSchema, MemoryLevelSchema, type MemoryLevel } from "./memory-level.js";

const unit = z.number().min(0).max(1);

/** The learned value of a memory for one goal. */
export const GoalValueSchema = z.strictObject({
  value: unit,
  /** Episodes whose credit reached this memory for this goal. */
  visits: z.int().min(0),
});

/** A cause → effect link from one memory to another. */
export const CausalLinkSchema = z.strictObject({
  target: z.string().min(1),
  relation: z.string().min(1),
  confidence: z.number().min(0.1).max(0.99),
});

/** One memory, as kept and persisted. */
export const MemoryEntrySchema = z.strictObject({
  id: z.string().min(1),
  level: MemoryLevelSchema,
  kind: MemoryKindSchema,
  content: z.string(),
  metadata: z.strictObject({
    domain: z.string(),
    taskType: z.string(),
    actor: z.string().optional(),
    /** The user and tenant the memory was made for, when the team runs for one. */
    user: z.string().optional(),
    tenant: z.string().optional(),
    sourceEpisodes: z.array(z.string()),
    /** Key and value when the memory was written through the LangGraph store. */
    key: z.string().optional(),
    payload: z.record(z.string(), z.unknown()).optional(),
  }),
  values: z.record(z.string(), GoalValueSchema),
  accessCount: z.int().min(0),
  lastAccess: z.number().nullable(),
  createdAt: z.number(),
  updatedAt: z.number(),
  /** Times the same (or a near-identical) memory was stored again. */
  timesStored: z.int().min(1),
  protected: z.boolean(),
  causalLinks: z.array(CausalLinkSchema),
  /** The semantic memory this one was consolidated into. */
  consolidatedInto: z.string().optional(),
  /** The memories a consolidated memory was made from. */
  sources: z.array(z.string()),
});

/** One memory, as kept and persisted. */
export type MemoryEntry = z.infer<typeof MemoryEntrySchema>;

/** A cause → effect link. */
export type CausalLink = z.infer<typeof CausalLinkSchema>;

/**
 * The stable id of a memory: its domain, task type, level and a hash of its content and owner,
 * so the same owner storing the same thing twice finds the same entry, and two owners' alike
 * memories stay two (one actor's never becomes the team's, nor the team's an actor's). A
 * memory of no actor hashes as it always has (its level and content alone).
 */
export function memoryId({
  domain,
  taskType,
  level,
  content,
  actor,
}: {
  domain: string;
  taskType: string;
  level: MemoryLevel;
  content: string;
  actor?: string | undefined;
}): string {
  const hashed = actor === undefined ? `${level}\n${content}` : JSON.stringify([level, actor, content]);
  const hash = createHash("sha256").update(hashed).digest("hex").slice(0, 16);
  return `${domain}:${taskType}:${level}:${hash}`;
}

/** The id of a memory written through the LangGraph store under a namespace and key. */
export function itemId(level: MemoryLevel, actor: string | undefined, key: string): string {
  return `item:${level}:${actor ?? ""}:${key}`;
}
