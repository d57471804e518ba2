import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { Ajv2020 } from "ajv/dist/2020.js";
import { HierarchicalMemory, MemoryColumnsSchema, MemorySnapshotSchema, type MemorySnapshot } from "../../src/index.js";
import { parseSnapshot } from "../../src/util/index.js";
import { schemaCheck } from "../../src/util/schema-check.js";
import { pathsOf, withValue } from "../support/json-paths.js";

async function filledMemory(): Promise<HierarchicalMemory> {
  const memory = new HierarchicalMemory();
  await memory.store({ level: "episodic", content: "Refunds are negative amounts", goal: "refunds", actor: "analyst", kind: "failure" });
  const cause = await memory.store({ level: "semantic", content: "Partition by month before joining" });
  const effect = await memory.store({ level: "causal", content: "Joining unpartitioned tables timed out" });
  memory.addCausalLink({ from: cause.id, to: effect.id, confidence: 0.7 });
  return memory;
}

/** A snapshot as read from disk, its vectors in it. */
async function validSnapshot(): Promise<MemorySnapshot> {
  return JSON.parse(JSON.stringify((await filledMemory()).snapshot({ includeVectors: true }))) as MemorySnapshot;
}

/** Values that break one field or another: wrong types, NaN and ±Infinity, out of range, fractional counts. */
const BAD_VALUES = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -1, 1.5, 2, "", "text", null, [], {}, true, 9e15] as const;

describe("schemaCheck", () => {
  it("never accepts a snapshot the schema refuses, and accepts the ones it writes", async () => {
    const snapshot = await validSnapshot();
    const check = schemaCheck(MemorySnapshotSchema);
    expect(check(snapshot)).toBe(true);
    const paths = pathsOf(snapshot);
    let refused = 0;
    fc.assert(
      fc.property(fc.constantFrom(...paths), fc.constantFrom<unknown>(...BAD_VALUES, "extra-key", "drop"), (path, bad) => {
        let changed: unknown;
        if (bad === "drop" || bad === "extra-key") {
          const parent = path.slice(0, -1);
          const holder = parent.reduce<unknown>((at, key) => (at as Record<string | number, unknown>)[key], snapshot);
          if (holder === null || typeof holder !== "object" || Array.isArray(holder) || path.length === 0) return;
          changed = structuredClone(snapshot);
          const target = parent.reduce<unknown>((at, key) => (at as Record<string | number, unknown>)[key], changed) as Record<string, unknown>;
          if (bad === "drop") delete target[path.at(-1) as string];
          else target.unexpected = 1;
        } else changed = withValue(snapshot, path, bad);
        const zod = MemorySnapshotSchema.safeParse(changed).success;
        if (!zod) refused += 1;
        expect(check(changed) && !zod).toBe(false);
        // Where zod accepts, so does the check (except an optional key given as undefined, which JSON never holds).
        expect(check(changed)).toBe(zod);
      }),
      { numRuns: 600, seed: 17 },
    );
    expect(refused).toBeGreaterThan(300);
  });

  it("compiles JSON Schemas that JSON Schema's meta-schema accepts (the check itself skips that test)", () => {
    const meta = new Ajv2020();
    for (const schema of [MemorySnapshotSchema, MemoryColumnsSchema]) {
      expect(meta.validateSchema(z.toJSONSchema(schema, { io: "input" })), JSON.stringify(meta.errors)).toBe(true);
    }
    // The meta-schema does refuse a broken schema, so the test above can fail.
    expect(meta.validateSchema({ type: "strnig" })).toBe(false);
  });

  it("refuses schemas that do more than validate", () => {
    expect(() => schemaCheck(z.strictObject({ name: z.string().refine((name) => name.length > 2) }))).toThrow(/check of kind custom/);
    expect(() => schemaCheck(z.strictObject({ name: z.string().default("x") }))).toThrow(/default/);
    expect(() => schemaCheck(z.strictObject({ name: z.string().trim() }))).toThrow(/overwrite/);
    expect(() => schemaCheck(z.strictObject({ size: z.string().transform((text) => text.length) }))).toThrow(/Transforms/);
    // A plain object drops unknown keys: what it returns is not what came in.
    expect(() => schemaCheck(z.object({ size: z.int() }))).toThrow(/differs/);
    expect(schemaCheck(z.strictObject({ size: z.int().min(0) }))({ size: 3 })).toBe(true);
  });
});

describe("parseSnapshot inPlace", () => {
  it("returns the snapshot itself when it matches, a copy without inPlace, and zod's message when it does not", async () => {
    const snapshot = await validSnapshot();
    const parse = (value: unknown, inPlace: boolean) => parseSnapshot({ schema: MemorySnapshotSchema, snapshot: value, version: 1, what: "memory", inPlace });
    expect(parse(snapshot, true)).toBe(snapshot);
    const copy = parse(snapshot, false);
    expect(copy).not.toBe(snapshot);
    expect(copy).toEqual(snapshot);
    const broken = withValue(snapshot, ["entries", 0, "accessCount"], -1);
    expect(() => parse(broken, true)).toThrow(/entries\.0\.accessCount/);
    expect(() => parse({ ...snapshot, schemaVersion: 9 }, true)).toThrow(expect.objectContaining({ code: "snapshot_version_unsupported" }));
  });
});

describe("HierarchicalMemory.restore adopt", () => {
  it("takes the snapshot's entries as its own only when told to", async () => {
    const memory = await filledMemory();
    const vectors = memory.snapshotVectors();
    const snapshot = JSON.parse(JSON.stringify(memory.snapshot({ includeVectors: false }))) as MemorySnapshot;
    const id = (snapshot.entries[0] as MemorySnapshot["entries"][number]).id;
    const kept = structuredClone(snapshot);
    const copied = await HierarchicalMemory.restore(snapshot, { vectors });
    expect(copied.vectorRestore.vectors).toBe("loaded");
    expect(copied.peek(id)).not.toBe(snapshot.entries[0]);
    // A retrieval counts an access on the memory's own entries, not on the snapshot's.
    await copied.retrieve({ goal: "refunds", query: "Refunds are negative amounts", k: 1 });
    expect(copied.peek(id)?.accessCount).toBe((kept.entries[0]?.accessCount ?? 0) + 1);
    expect(snapshot).toEqual(kept);
    const adopted = await HierarchicalMemory.restore(snapshot, { vectors, adopt: true });
    expect(adopted.peek(id)).toBe(snapshot.entries[0]);
    expect(adopted.snapshot()).toEqual((await HierarchicalMemory.restore(kept, { vectors })).snapshot());
  });
});
