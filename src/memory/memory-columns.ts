import { z } from "zod";
import { JottyError } from "../errors/index.js";
import { CausalLinkSchema, GoalValueSchema, MemoryEntrySchema, type MemoryEntry } from "./memory-entry.js";
import { MemoryKindSchema, MemoryLevelSchema } from "./memory-level.js";
import { SNAPSHOT_HEADER_SHAPE } from "./snapshot-header-schema.js";

/** The schema version of a memory snapshot written as columns. */
export const MEMORY_COLUMNS_VERSION = 2;

const LEVELS = MemoryLevelSchema.options;
const KINDS = MemoryKindSchema.options;
const entry = MemoryEntrySchema.shape;
const metadata = entry.metadata.shape;
const count = z.int().min(0);
const column = <T extends z.ZodType>(cell: T) => z.array(cell);
/** A list per memory, flattened: how many items each memory has, then every item in order. */
const lists = <Shape extends z.ZodRawShape>(items: Shape) => z.strictObject({ count: column(count), ...items });
/** A field most memories leave out: one cell a memory (null where absent), or no column at all. */
const optional = <T extends z.ZodType>(cell: T) => column(cell.nullable()).optional();

/**
 * A memory snapshot as columns (version 2): every field of the entries in one array, so that a
 * file of 100k memories parses into a few dozen arrays instead of half a million objects, and
 * takes less than half the bytes. The constraints are the entries' own (`MemoryEntrySchema`);
 * that the columns fit together is checked by {@link checkColumns}.
 */
export const MemoryColumnsSchema = z.strictObject({
  schemaVersion: z.literal(MEMORY_COLUMNS_VERSION),
  ...SNAPSHOT_HEADER_SHAPE,
  /** How many memories. */
  size: count,
  id: column(entry.id),
  /** Position in the memory levels (`MEMORY_LEVELS`). */
  level: column(z.int().min(0).max(LEVELS.length - 1)),
  /** Position in the memory kinds. */
  kind: column(z.int().min(0).max(KINDS.length - 1)),
  content: column(entry.content),
  domain: column(metadata.domain),
  taskType: column(metadata.taskType),
  actor: optional(metadata.actor.unwrap()),
  user: optional(metadata.user.unwrap()),
  tenant: optional(metadata.tenant.unwrap()),
  key: optional(metadata.key.unwrap()),
  payload: optional(metadata.payload.unwrap()),
  consolidatedInto: optional(entry.consolidatedInto.unwrap()),
  /** Encoded vectors, when the snapshot holds them. */
  vector: optional(z.string()),
  sourceEpisodes: lists({ item: column(metadata.sourceEpisodes.element) }),
  /** Values per goal: `goal` is a position in `goals`. */
  values: lists({ goals: column(z.string()), goal: column(count), value: column(GoalValueSchema.shape.value), visits: column(GoalValueSchema.shape.visits) }),
  accessCount: column(entry.accessCount),
  lastAccess: column(entry.lastAccess),
  createdAt: column(entry.createdAt),
  updatedAt: column(entry.updatedAt),
  timesStored: column(entry.timesStored),
  protected: column(entry.protected),
  causalLinks: lists({ target: column(CausalLinkSchema.shape.target), relation: column(CausalLinkSchema.shape.relation), confidence: column(CausalLinkSchema.shape.confidence) }),
  sources: lists({ item: column(entry.sources.element) }),
});

/** A memory snapshot as columns. */
export type MemoryColumns = z.infer<typeof MemoryColumnsSchema>;

type Header = Pick<MemoryColumns, "name" | "embedder" | "totalAccesses" | "lastConsolidation" | "goals">;

/**
 * The entries as columns. Nothing is shared with the entries: strings are immutable, and
 * payloads are copied.
 *
 * @param vectorOf - the encoded vector of a memory, when the snapshot holds vectors.
 */
export function entriesToColumns(header: Header, entries: Iterable<Readonly<MemoryEntry>>, vectorOf?: (id: string) => string | undefined): MemoryColumns {
  const columns: MemoryColumns = {
    schemaVersion: MEMORY_COLUMNS_VERSION,
    name: header.name,
    embedder: header.embedder,
    totalAccesses: header.totalAccesses,
    ...(header.lastConsolidation === undefined ? {} : { lastConsolidation: header.lastConsolidation }),
    goals: header.goals,
    size: 0,
    id: [], level: [], kind: [], content: [], domain: [], taskType: [],
    sourceEpisodes: { count: [], item: [] },
    values: { count: [], goals: [], goal: [], value: [], visits: [] },
    accessCount: [], lastAccess: [], createdAt: [], updatedAt: [], timesStored: [], protected: [],
    causalLinks: { count: [], target: [], relation: [], confidence: [] },
    sources: { count: [], item: [] },
  };
  const rare = { actor: [], user: [], tenant: [], key: [], payload: [], consolidatedInto: [], vector: [] } as Record<"actor" | "user" | "tenant" | "key" | "payload" | "consolidatedInto" | "vector", unknown[]>;
  const goalAt = new Map<string, number>();
  const levelAt = new Map(LEVELS.map((level, position) => [level, position]));
  const kindAt = new Map(KINDS.map((kind, position) => [kind, position]));
  for (const memory of entries) {
    const { metadata: meta } = memory;
    columns.id.push(memory.id);
    columns.level.push(levelAt.get(memory.level) as number);
    columns.kind.push(kindAt.get(memory.kind) as number);
    columns.content.push(memory.content);
    columns.domain.push(meta.domain);
    columns.taskType.push(meta.taskType);
    rare.actor.push(meta.actor ?? null);
    rare.user.push(meta.user ?? null);
    rare.tenant.push(meta.tenant ?? null);
    rare.key.push(meta.key ?? null);
    rare.payload.push(meta.payload === undefined ? null : structuredClone(meta.payload));
    rare.consolidatedInto.push(memory.consolidatedInto ?? null);
    rare.vector.push(vectorOf?.(memory.id) ?? null);
    columns.sourceEpisodes.count.push(meta.sourceEpisodes.length);
    columns.sourceEpisodes.item.push(...meta.sourceEpisodes);
    const goals = Object.keys(memory.values);
    columns.values.count.push(goals.length);
    for (const goal of goals) {
      let at = goalAt.get(goal);
      if (at === undefined) {
        at = columns.values.goals.length;
        goalAt.set(goal, at);
        columns.values.goals.push(goal);
      }
      const value = memory.values[goal] as MemoryEntry["values"][string];
      columns.values.goal.push(at);
      columns.values.value.push(value.value);
      columns.values.visits.push(value.visits);
    }
    columns.accessCount.push(memory.accessCount);
    columns.lastAccess.push(memory.lastAccess);
    columns.createdAt.push(memory.createdAt);
    columns.updatedAt.push(memory.updatedAt);
    columns.timesStored.push(memory.timesStored);
    columns.protected.push(memory.protected);
    columns.causalLinks.count.push(memory.causalLinks.length);
    for (const link of memory.causalLinks) {
      columns.causalLinks.target.push(link.target);
      columns.causalLinks.relation.push(link.relation);
      columns.causalLinks.confidence.push(link.confidence);
    }
    columns.sources.count.push(memory.sources.length);
    columns.sources.item.push(...memory.sources);
  }
  columns.size = columns.id.length;
  // A field no memory has is left out.
  for (const [field, cells] of Object.entries(rare)) if (cells.some((cell) => cell !== null)) Object.assign(columns, { [field]: cells });
  return columns;
}

/** One memory as a row of the snapshot, with its encoded vector when the snapshot holds it. */
export type SnapshotRow = MemoryEntry & { vector?: string };

/**
 * What is wrong with columns that match their schema: a column without one cell a memory, a
 * list whose items do not add up to its counts, a value naming a goal not in `values.goals`
 * or one goal twice. Undefined when nothing is.
 */
function columnsProblem(columns: MemoryColumns): string | undefined {
  const size = columns.size;
  const cells: Array<[string, readonly unknown[] | undefined]> = [
    ["id", columns.id], ["level", columns.level], ["kind", columns.kind], ["content", columns.content], ["domain", columns.domain], ["taskType", columns.taskType],
    ["actor", columns.actor], ["user", columns.user], ["tenant", columns.tenant], ["key", columns.key], ["payload", columns.payload], ["consolidatedInto", columns.consolidatedInto], ["vector", columns.vector],
    ["accessCount", columns.accessCount], ["lastAccess", columns.lastAccess], ["createdAt", columns.createdAt], ["updatedAt", columns.updatedAt], ["timesStored", columns.timesStored], ["protected", columns.protected],
    ["sourceEpisodes.count", columns.sourceEpisodes.count], ["values.count", columns.values.count], ["causalLinks.count", columns.causalLinks.count], ["sources.count", columns.sources.count],
  ];
  for (const [name, cell] of cells) if (cell !== undefined && cell.length !== size) return `${name} has ${cell.length} cells for ${size} memories`;
  const items: Array<[string, readonly number[], ReadonlyArray<readonly unknown[]>]> = [
    ["sourceEpisodes", columns.sourceEpisodes.count, [columns.sourceEpisodes.item]],
    ["values", columns.values.count, [columns.values.goal, columns.values.value, columns.values.visits]],
    ["causalLinks", columns.causalLinks.count, [columns.causalLinks.target, columns.causalLinks.relation, columns.causalLinks.confidence]],
    ["sources", columns.sources.count, [columns.sources.item]],
  ];
  for (const [name, counts, lists] of items) {
    let total = 0;
    for (const n of counts) total += n;
    if (lists.some((list) => list.length !== total)) return `the items of ${name} do not add up to its counts`;
  }
  const { count, goal, goals } = columns.values;
  for (let row = 0, at = 0; row < size; at += count[row] as number, row += 1) {
    for (let first = at; first < at + (count[row] as number); first += 1) {
      if ((goal[first] as number) >= goals.length) return `memory ${row} has a value for goal ${goal[first]}, which values.goals does not hold`;
      for (let second = at; second < first; second += 1) if (goal[second] === goal[first]) return `memory ${row} has two values for goal ${JSON.stringify(goals[goal[first] as number])}`;
    }
  }
  return undefined;
}

/**
 * Checks that columns matching their schema fit together (see {@link columnsProblem}).
 *
 * @throws JottyError `snapshot_invalid` naming the problem.
 */
export function checkColumns(columns: MemoryColumns): void {
  const problem = columnsProblem(columns);
  if (problem !== undefined) {
    throw new JottyError({ code: "snapshot_invalid", message: `Not a memory snapshot of schema version ${MEMORY_COLUMNS_VERSION}: ${problem}. Pass what was saved.` });
  }
}

/**
 * The entries of columns checked against their schema: rows built anew, in order, sharing
 * nothing with the columns.
 *
 * @throws JottyError `snapshot_invalid` as {@link checkColumns} does.
 */
export function columnsToEntries(columns: MemoryColumns): SnapshotRow[] {
  checkColumns(columns);
  const size = columns.size;
  const { sourceEpisodes, values, causalLinks, sources } = columns;
  const goalNames = values.goals;
  const rows: SnapshotRow[] = new Array<SnapshotRow>(size);
  let episodeAt = 0;
  let valueAt = 0;
  let linkAt = 0;
  let sourceAt = 0;
  for (let row = 0; row < size; row += 1) {
    const meta: MemoryEntry["metadata"] = { domain: columns.domain[row] as string, taskType: columns.taskType[row] as string, sourceEpisodes: sourceEpisodes.item.slice(episodeAt, (episodeAt += sourceEpisodes.count[row] as number)) };
    const actor = columns.actor?.[row];
    const user = columns.user?.[row];
    const tenant = columns.tenant?.[row];
    const key = columns.key?.[row];
    const payload = columns.payload?.[row];
    if (actor != null) meta.actor = actor;
    if (user != null) meta.user = user;
    if (tenant != null) meta.tenant = tenant;
    if (key != null) meta.key = key;
    if (payload != null) meta.payload = structuredClone(payload);
    const goalValues: MemoryEntry["values"] = {};
    for (let end = valueAt + (values.count[row] as number); valueAt < end; valueAt += 1) {
      const goal = goalNames[values.goal[valueAt] as number] as string;
      const value = { value: values.value[valueAt] as number, visits: values.visits[valueAt] as number };
      // A goal is the user's text: "__proto__" is a key like any other, as JSON.parse makes it.
      if (goal === "__proto__") Object.defineProperty(goalValues, goal, { value, enumerable: true, writable: true, configurable: true });
      else goalValues[goal] = value;
    }
    const links: MemoryEntry["causalLinks"] = [];
    for (let end = linkAt + (causalLinks.count[row] as number); linkAt < end; linkAt += 1) {
      links.push({ target: causalLinks.target[linkAt] as string, relation: causalLinks.relation[linkAt] as string, confidence: causalLinks.confidence[linkAt] as number });
    }
    const memory: SnapshotRow = {
      id: columns.id[row] as string,
      level: LEVELS[columns.level[row] as number] as MemoryEntry["level"],
      kind: KINDS[columns.kind[row] as number] as MemoryEntry["kind"],
      content: columns.content[row] as string,
      metadata: meta,
      values: goalValues,
      accessCount: columns.accessCount[row] as number,
      lastAccess: columns.lastAccess[row] as number | null,
      createdAt: columns.createdAt[row] as number,
      updatedAt: columns.updatedAt[row] as number,
      timesStored: columns.timesStored[row] as number,
      protected: columns.protected[row] as boolean,
      causalLinks: links,
      sources: sources.item.slice(sourceAt, (sourceAt += sources.count[row] as number)),
    };
    const consolidatedInto = columns.consolidatedInto?.[row];
    const vector = columns.vector?.[row];
    if (consolidatedInto != null) memory.consolidatedInto = consolidatedInto;
    if (vector != null) memory.vector = vector;
    rows[row] = memory;
  }
  return rows;
}
