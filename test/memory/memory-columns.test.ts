import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { HierarchicalMemory, JottyError, ManualClock, MemoryColumnsSchema, MemorySnapshotSchema, type MemoryColumns, type MemoryEntry } from "../../src/index.js";
import { columnsToEntries, entriesToColumns } from "../../src/memory/memory-columns.js";
import { checkMemorySnapshot, parseMemorySnapshot } from "../../src/memory/index.js";
import { COLUMNS_CHECKED_IN_PLACE_FROM } from "../../src/memory/memory-snapshot.js";
import { pathsOf, withValue } from "../support/json-paths.js";

const finite = fc.double({ noNaN: true, noDefaultInfinity: true });
const someOf = fc.array(fc.string(), { maxLength: 3 });
const entryArbitrary: fc.Arbitrary<MemoryEntry> = fc.record(
  {
    id: fc.string({ minLength: 1 }),
    level: fc.constantFrom("episodic", "semantic", "procedural", "meta", "causal"),
    kind: fc.constantFrom("success", "failure", "neutral", "pattern", "procedure", "meta", "causal"),
    content: fc.string(),
    metadata: fc.record(
      { domain: fc.string(), taskType: fc.string(), actor: fc.string(), user: fc.string(), tenant: fc.string(), sourceEpisodes: someOf, key: fc.string(), payload: fc.dictionary(fc.string(), fc.jsonValue()) },
      { requiredKeys: ["domain", "taskType", "sourceEpisodes"] },
    ),
    values: fc.dictionary(fc.string(), fc.record({ value: fc.double({ min: 0, max: 1, noNaN: true }), visits: fc.nat() }), { maxKeys: 4 }),
    accessCount: fc.nat(),
    lastAccess: fc.option(finite, { nil: null }),
    createdAt: finite,
    updatedAt: finite,
    timesStored: fc.integer({ min: 1 }),
    protected: fc.boolean(),
    causalLinks: fc.array(fc.record({ target: fc.string({ minLength: 1 }), relation: fc.string({ minLength: 1 }), confidence: fc.double({ min: 0.1, max: 0.99, noNaN: true }) }), { maxLength: 3 }),
    consolidatedInto: fc.string(),
    sources: someOf,
  },
  { requiredKeys: ["id", "level", "kind", "content", "metadata", "values", "accessCount", "lastAccess", "createdAt", "updatedAt", "timesStored", "protected", "causalLinks", "sources"] },
) as fc.Arbitrary<MemoryEntry>;

/** A goal is the user's text: one named like Object.prototype's accessor is a goal like any other. */
const protoGoal = JSON.parse(
  '{"id":"m","level":"meta","kind":"meta","content":"","metadata":{"domain":"d","taskType":"t","sourceEpisodes":[]},"values":{"__proto__":{"value":0.5,"visits":1}},"accessCount":0,"lastAccess":null,"createdAt":0,"updatedAt":0,"timesStored":1,"protected":true,"causalLinks":[],"sources":[]}',
) as MemoryEntry;
const header = { name: "shared", embedder: "hashing-v1-384", totalAccesses: 3, goals: { "refund totals": null } };
const throughJson = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

async function teamMemory(): Promise<HierarchicalMemory> {
  const memory = new HierarchicalMemory();
  await memory.store({ level: "episodic", content: "Refunds are negative amounts", goal: "refund totals", actor: "analyst", kind: "failure" });
  const cause = await memory.store({ level: "semantic", content: "Partition by month before joining", goal: "monthly revenue" });
  const effect = await memory.store({ level: "causal", content: "Joining unpartitioned tables timed out" });
  memory.addCausalLink({ from: cause.id, to: effect.id, confidence: 0.7 });
  await memory.putItem({ level: "semantic", actor: "analyst", key: "fiscal-year", content: "The fiscal year starts in April", payload: { month: 4, source: ["finance"] } });
  return memory;
}

describe("memory snapshot columns", () => {
  it("turn any entries into columns and back, through JSON, unchanged", () => {
    fc.assert(
      fc.property(fc.array(entryArbitrary, { maxLength: 8 }), (entries) => {
        const columns = throughJson(entriesToColumns(header, entries));
        expect(MemoryColumnsSchema.safeParse(columns).success).toBe(true);
        const rows = columnsToEntries(columns);
        expect(rows).toEqual(throughJson(entries));
        expect(MemorySnapshotSchema.safeParse({ schemaVersion: 1, ...header, entries: rows }).success).toBe(true);
      }),
      { numRuns: 300, seed: 5, examples: [[[protoGoal]]] },
    );
  });

  it("restore to the same memory as rows do, in less than half the bytes", async () => {
    const memory = await teamMemory();
    for (let index = 0; index < 300; index += 1) await memory.store({ level: "episodic", content: `Query ${index} on the orders table returned ${index * 7} rows`, goal: "orders", actor: "analyst" });
    const rows = memory.snapshot({ includeVectors: true });
    const columns = memory.snapshot({ includeVectors: true, columns: true });
    expect(columns.schemaVersion).toBe(2);
    // Vectors take the same bytes either way; the rest shrinks by more than half.
    expect(JSON.stringify(memory.snapshot({ includeVectors: false, columns: true })).length).toBeLessThan(JSON.stringify(memory.snapshot({ includeVectors: false })).length / 2);
    const clock = new ManualClock(1_800_000_000_000);
    const restored = await HierarchicalMemory.restore(throughJson(columns), { clock });
    expect(restored.vectorRestore).toEqual({ vectors: "loaded" });
    expect(restored.snapshot({ includeVectors: true })).toEqual(throughJson(rows));
    const query = { goal: "refund totals", query: "negative refunds", k: 3 };
    expect(await restored.retrieve(query)).toEqual(await (await HierarchicalMemory.restore(throughJson(rows), { clock })).retrieve(query));
  });

  // Below COLUMNS_CHECKED_IN_PLACE_FROM memories zod checks the columns, from it the compiled check: both refuse alike.
  for (const size of ["small", "large"] as const) {
    it(`refuse columns that do not fit together, naming what is wrong, or that come from a newer Jotty (${size})`, async () => {
      const team = await teamMemory();
      let columns = throughJson(team.snapshot({ columns: true })) as MemoryColumns & Record<string, unknown>;
      if (size === "large") {
        const { entries, ...rest } = team.snapshot();
        const copies = Array.from({ length: COLUMNS_CHECKED_IN_PLACE_FROM }, (_, index) => ({ ...(entries[index % entries.length] as MemoryEntry), id: `copy-${index}` }));
        const { schemaVersion: _version, ...head } = rest;
        columns = throughJson(entriesToColumns(head, [...entries, ...copies])) as MemoryColumns & Record<string, unknown>;
        expect(columns.size).toBeGreaterThanOrEqual(COLUMNS_CHECKED_IN_PLACE_FROM);
      }
      const refused = async (changed: unknown, message: RegExp): Promise<void> => {
        await expect(HierarchicalMemory.restore(changed)).rejects.toMatchObject({ code: "snapshot_invalid", message: expect.stringMatching(message) });
        expect(() => checkMemorySnapshot(changed)).toThrow(message);
      };
      await refused({ ...columns, content: columns.content.slice(1) }, new RegExp(`content has ${columns.size - 1} cells for ${columns.size} memories`));
      await refused({ ...columns, sources: { count: columns.sources.count, item: [...columns.sources.item, "extra"] } }, /items of sources do not add up/);
      await refused(withValue(columns, ["values", "goal", 0], 9), /goal 9, which values.goals does not hold/);
      const twice = { ...columns.values, count: [2, ...columns.values.count.slice(1)], goal: [0, 0, ...columns.values.goal.slice(1)], value: [0.5, ...columns.values.value], visits: [1, ...columns.values.visits] };
      await refused({ ...columns, values: twice, sourceEpisodes: columns.sourceEpisodes }, /two values for goal/);
      await refused(withValue(columns, ["accessCount", 1], -1), /accessCount/);
      await refused(withValue(columns, ["level", 0], 5), /level/);
      await expect(HierarchicalMemory.restore({ ...columns, schemaVersion: 3 })).rejects.toMatchObject({ code: "snapshot_version_unsupported", message: expect.stringContaining("newer than this Jotty reads (2)") });
      expect(() => checkMemorySnapshot(columns)).not.toThrow();
      expect(parseMemorySnapshot(columns).entries.map((entry) => entry.id)).toEqual(columns.id);
    });
  }

  it("never give rows the entry schema refuses, whatever one value is changed to", async () => {
    const columns = throughJson((await teamMemory()).snapshot({ includeVectors: true, columns: true }));
    const paths = pathsOf(columns);
    fc.assert(
      fc.property(fc.constantFrom(...paths), fc.constantFrom<unknown>(Number.NaN, -1, 0.5, 1.5, 3, "", "x", null, [], {}, [0], true), (path, bad) => {
        const changed = withValue(columns, path, bad);
        let rows: unknown;
        try {
          rows = columnsToEntries(MemoryColumnsSchema.parse(changed));
        } catch (error) {
          expect(JottyError.is(error) || (error as Error).name === "ZodError").toBe(true);
          return;
        }
        expect(MemorySnapshotSchema.safeParse({ schemaVersion: 1, ...header, entries: rows }).success).toBe(true);
      }),
      { numRuns: 500, seed: 11 },
    );
  });
});
