import { FakeListChatModel } from "@langchain/core/utils/testing";
import fc from "fast-check";
import { distance } from "fastest-levenshtein";
import { describe, expect, it } from "vitest";
import {
  HashingEmbedder,
  HierarchicalMemory,
  JottyError,
  ManualClock,
  MEMORY_LEVELS,
  Rng,
  TieredVectorIndex,
  type MemoryLevel,
} from "../../src/index.js";

const HOUR = 3_600_000;

const UNRELATED = [
  "The office plant needs water every Monday morning",
  "Deploy the web application only after the test suite passes",
  "Merchant onboarding requires a signed contract and a tax id",
  "Weekly team meeting moved to Thursday afternoon",
  "Rotate the database credentials every ninety days",
  "Customer support answers chat messages within one hour",
  "Compress images before uploading them to the website",
  "The marketing newsletter goes out on the first of the month",
];

const REGIONS = ["Germany", "France", "Spain", "Italy", "Poland", "Austria", "Belgium", "Sweden", "Norway", "Ireland"];
const PERIODS = ["in January", "last week", "for Q1", "yesterday", "in March", "this month", "over the weekend", "in February", "last quarter", "on Monday"];
const SIMILAR_EPISODES = REGIONS.map(
  (region, index) => `Revenue question about ${region} ${PERIODS[index]}: summed amount_cents of settled transactions, filtered on dt`,
);

class FailingChatModel extends FakeListChatModel {
  constructor() {
    super({ responses: ["unused"] });
  }

  override async _generate(): Promise<never> {
    throw new Error("model server unavailable");
  }
}

describe("HierarchicalMemory.store", () => {
  it("adds, reinforces an exact duplicate, and merges a near duplicate", async () => {
    const memory = new HierarchicalMemory();
    const first = await memory.store({ level: "episodic", content: "Filter dates on dt, never on ts", sourceEpisode: "e1" });
    expect(first.status).toBe("added");
    const again = await memory.store({ level: "episodic", content: "Filter dates on dt, never on ts", sourceEpisode: "e2" });
    expect(again).toEqual({ id: first.id, status: "reinforced", evicted: [] });
    const near = await memory.store({ level: "episodic", content: "Filter dates on dt, never on the ts", sourceEpisode: "e3" });
    expect(near).toEqual({ id: first.id, status: "merged", evicted: [] });
    expect(memory.size()).toBe(1);
    const entry = memory.get(first.id);
    expect(entry?.timesStored).toBe(3);
    expect(entry?.metadata.sourceEpisodes).toEqual(["e1", "e2", "e3"]);
    // The same content at another level is another memory.
    expect((await memory.store({ level: "semantic", content: "Filter dates on dt, never on ts" })).status).toBe("added");
  });

  it("keeps two owners' identical memories two, and merges a near duplicate into its own owner's", async () => {
    const memory = new HierarchicalMemory();
    const content = "Filter dates on dt, never on ts";
    // Twenty actors' memories of the same text: one vector twenty times, and the team's, stored last, ranks last.
    const owned = [];
    for (let at = 0; at < 20; at += 1) owned.push(await memory.store({ level: "episodic", content, actor: `actor-${at}` }));
    expect(owned.every((result) => result.status === "added")).toBe(true);
    const team = await memory.store({ level: "episodic", content });
    expect(team.status).toBe("added");
    expect(memory.size()).toBe(21);
    expect(await memory.store({ level: "episodic", content, actor: "actor-3" })).toEqual({ id: owned[3]?.id, status: "reinforced", evicted: [] });
    expect((await memory.retrieve({ goal: content, visibleTo: null, record: false })).map((entry) => entry.id)).toEqual([team.id]);
    expect(await memory.store({ level: "episodic", content: "Filter dates on dt, never on the ts" })).toMatchObject({ id: team.id, status: "merged" });
    expect(await memory.store({ level: "episodic", content: "Filter dates on dt, never on the ts", actor: "actor-17" })).toMatchObject({ id: owned[17]?.id, status: "merged" });
    expect(memory.size()).toBe(21);
  });

  it("merges an actor's store into its memory saved when ids did not hold the actor", async () => {
    const memory = new HierarchicalMemory();
    const { id } = await memory.store({ level: "episodic", content: "Filter dates on dt, never on ts", actor: "planner" });
    const snapshot = memory.snapshot({ includeVectors: false }) as { entries: Array<{ id: string }> };
    (snapshot.entries[0] as { id: string }).id = "general:general:episodic:0000000000000000";
    const restored = await HierarchicalMemory.restore(snapshot);
    expect(restored.get(id)).toBeUndefined();
    expect(await restored.store({ level: "episodic", content: "Filter dates on dt, never on ts", actor: "planner" })).toMatchObject({ id: "general:general:episodic:0000000000000000", status: "merged" });
    expect(restored.size()).toBe(1);
  });

  it("searches an approximate index once for a new memory: the add links from the near-duplicate search", async () => {
    let index: TieredVectorIndex | undefined;
    const memory = new HierarchicalMemory({ createIndex: (dimensions) => (index = new TieredVectorIndex({ dimensions, approximateFrom: 0 })) });
    const contents = Array.from({ length: 200 }, (_, at) => `${REGIONS[at % 10]} revenue case ${at} ${PERIODS[(at * 7) % 10]} of batch ${Math.floor(at / 10)}`);
    for (const content of contents) await memory.store({ level: MEMORY_LEVELS[contents.indexOf(content) % 5] as MemoryLevel, content });
    expect(memory.indexKind).toBe("approximate");
    const added = memory.size();
    // All but the first node and the few placed above layer 0 are linked from their store's search.
    expect(index?.counters.searchesReused).toBeGreaterThan(0.85 * added);
    for (const content of contents.slice(0, 20)) expect((await memory.similar({ text: content, k: 1 }))[0]?.entry.content).toBe(content);
  });

  it("gives ids from domain, task type and a content hash, and starting values by kind", async () => {
    const memory = new HierarchicalMemory();
    const { id } = await memory.store({
      level: "procedural",
      content: "Sum amount_cents / 100.0",
      domain: "payments",
      taskType: "revenue",
      goal: "daily revenue",
    });
    expect(id).toMatch(/^payments:revenue:procedural:[0-9a-f]{16}$/);
    expect(memory.get(id)?.values).toEqual({ "daily revenue": { value: 0.7, visits: 0 } });
    const meta = await memory.store({ level: "meta", content: "Check the status column first" });
    expect(memory.get(meta.id)).toMatchObject({ kind: "meta", protected: true });
    expect(await memory.value(meta.id, "anything")).toBe(0.9);
  });

  it("evicts the lowest-valued unprotected memory, the oldest among equals, never a protected one", async () => {
    const clock = new ManualClock(0);
    const memory = new HierarchicalMemory({ clock, settings: { capacities: { episodic: 3 } } });
    const goal = "answer revenue questions";
    const keep = await memory.store({ level: "episodic", content: UNRELATED[0] as string, goal, value: 0.9 });
    clock.advance(1000);
    const guarded = await memory.store({ level: "episodic", content: UNRELATED[1] as string, goal, value: 0.05, protected: true });
    clock.advance(1000);
    const older = await memory.store({ level: "episodic", content: UNRELATED[2] as string, goal, value: 0.3 });
    clock.advance(1000);
    const added = await memory.store({ level: "episodic", content: UNRELATED[3] as string, goal, value: 0.3 });
    expect(added.evicted).toEqual([older.id]);
    expect(memory.get(guarded.id)).toBeDefined();
    clock.advance(1000);
    const next = await memory.store({ level: "episodic", content: UNRELATED[4] as string, goal, value: 0.3 });
    expect(next.evicted).toEqual([added.id]); // equal values: the older goes
    expect(memory.get(keep.id)).toBeDefined();
    expect(memory.get(guarded.id)).toBeDefined();
  });

  it("refuses to store when a full level holds only protected memories, changing nothing", async () => {
    const memory = new HierarchicalMemory({ settings: { capacities: { causal: 2 } } });
    await memory.store({ level: "causal", content: UNRELATED[0] as string, protected: true });
    await memory.store({ level: "causal", content: UNRELATED[1] as string, protected: true });
    const before = memory.snapshot();
    await expect(memory.store({ level: "causal", content: UNRELATED[2] as string })).rejects.toMatchObject({
      code: "capacity_exceeded",
      message: expect.stringContaining("memory.capacities.causal"),
    });
    expect(memory.snapshot()).toEqual(before);
  });

  it("rejects bad input with a JottyError and stores nothing", async () => {
    const memory = new HierarchicalMemory();
    await expect(memory.store({ level: "episodic", content: "   " })).rejects.toThrow(/content: must not be empty/);
    await expect(memory.store({ level: "daydream" as MemoryLevel, content: "x" })).rejects.toThrow(JottyError);
    await expect(memory.store({ level: "episodic", content: "x", value: 2 })).rejects.toThrow(/value/);
    expect(memory.size()).toBe(0);
  });
});

describe("HierarchicalMemory.retrieve", () => {
  it("finds the relevant memory first for a paraphrased goal, among unrelated ones", async () => {
    const memory = new HierarchicalMemory();
    for (const content of UNRELATED) await memory.store({ level: "episodic", content });
    const { id } = await memory.store({
      level: "episodic",
      content: "Daily revenue is the sum of amount_cents / 100.0 over settled transactions, grouped by dt",
    });
    const [best] = await memory.retrieve({ goal: "What was the total settled payment volume for each day?", k: 3 });
    expect(best?.id).toBe(id);
  });

  it("ranks the higher-valued of two equally relevant memories first for that goal", async () => {
    const goal = "which column holds the partition date";
    const ranked = async (valueA: number, valueB: number): Promise<string[]> => {
      const memory = new HierarchicalMemory();
      const content = "Dates are filtered on the dt partition column";
      // Two actors' identical experiences stay two memories.
      await memory.store({ level: "episodic", content, domain: "a", actor: "analyst", goal, value: valueA });
      await memory.store({ level: "episodic", content, domain: "b", actor: "critic", goal, value: valueB });
      const results = await memory.retrieve({ goal, k: 2 });
      expect(results[0]?.relevance).toBeCloseTo(results[1]?.relevance as number, 6);
      return results.map((result) => result.metadata.domain);
    };
    expect(await ranked(0.9, 0.2)).toEqual(["a", "b"]);
    expect(await ranked(0.2, 0.9)).toEqual(["b", "a"]);
  });

  it("restricts levels and actors, respects a token budget and records accesses", async () => {
    const memory = new HierarchicalMemory();
    const accessed: string[] = [];
    memory.onAccess(({ id }) => accessed.push(id));
    const short = await memory.store({ level: "semantic", content: "Revenue counts settled rows", actor: "analyst" });
    const long = await memory.store({
      level: "episodic",
      content: `Revenue counts settled rows only; ${"pending and failed rows are excluded from every revenue figure. ".repeat(6)}`,
      actor: "critic",
    });
    expect((await memory.retrieve({ goal: "revenue", levels: ["semantic"], k: 5 })).map((m) => m.id)).toEqual([short.id]);
    expect((await memory.retrieve({ goal: "revenue", actors: ["critic"], k: 5 })).map((m) => m.id)).toEqual([long.id]);
    const budgeted = await memory.retrieve({ goal: "revenue settled rows", k: 5, maxTokens: 20 });
    expect(budgeted.map((m) => m.id)).toEqual([short.id]);
    expect(accessed).toEqual([short.id, long.id, short.id]);
    expect(memory.get(short.id)?.accessCount).toBe(2);
    await expect(memory.retrieve({ goal: "revenue", k: 0 })).rejects.toThrow(JottyError);
  });

  it("changes nothing when asked not to record accesses (frozen inference)", async () => {
    const memory = new HierarchicalMemory();
    let notified = 0;
    memory.onAccess(() => (notified += 1));
    await memory.store({ level: "episodic", content: "Revenue counts settled rows" });
    const before = memory.snapshot();
    const found = await memory.retrieve({ goal: "revenue", k: 1, record: false });
    expect(found).toHaveLength(1);
    expect(notified).toBe(0);
    expect(memory.snapshot()).toEqual(before);
  });

  it("ranks a rarely credited memory above an often credited one of equal relevance and value only with the UCB bonus", async () => {
    const goal = "which column holds the partition date";
    const content = "Dates are filtered on the dt partition column";
    const lastTwo = async (ucb: number) => {
      const memory = new HierarchicalMemory({ clock: new ManualClock(0), settings: { retrieval: { ucb } } });
      // Two actors' identical experiences stay two memories, equally relevant to any query.
      const often = await memory.store({ level: "episodic", content, domain: "often", actor: "analyst", goal, value: 0.5 });
      await memory.store({ level: "episodic", content, domain: "rare", actor: "critic", goal, value: 0.5 });
      // Eight episodes credit one of them without moving its value: only the visit counts differ.
      for (let episode = 0; episode < 8; episode += 1) memory.setValue({ id: often.id, goal, value: 0.5, visit: true });
      // Retrievals of both make N = 6 accesses while keeping their use and recency equal.
      for (let round = 0; round < 3; round += 1) expect(await memory.retrieve({ goal, k: 2 })).toHaveLength(2);
      const results = await memory.retrieve({ goal, k: 2 });
      expect(results.map((result) => result.value)).toEqual([0.5, 0.5]);
      expect(results[0]?.relevance).toBeCloseTo(results[1]?.relevance as number, 12);
      return results;
    };

    const plain = await lastTwo(0);
    expect(plain[0]?.score).toBeCloseTo(plain[1]?.score as number, 12);

    const explored = await lastTwo(2);
    expect(explored.map((result) => result.metadata.domain)).toEqual(["rare", "often"]);
    expect(explored.map((result) => result.learned)).toEqual([0, 8]);
    // c·√(ln(N+1)/(visits+1)) for 0 and 8 visits, with c = 2 and N = 6.
    const gap = 2 * Math.sqrt(Math.log(7)) * (1 - 1 / Math.sqrt(9));
    expect((explored[0]?.score as number) - (explored[1]?.score as number)).toBeCloseTo(gap, 9);
    expect(explored[0]?.score as number).toBeGreaterThan(plain[0]?.score as number);
  });
});

describe("causal links", () => {
  it("strengthens and weakens confidence within [0.1, 0.99], and drops links to deleted memories", async () => {
    const memory = new HierarchicalMemory();
    const cause = await memory.store({ level: "causal", content: "Filtering on ts near midnight" });
    const effect = await memory.store({ level: "causal", content: "Daily totals off by a few transactions" });
    expect(memory.addCausalLink({ from: cause.id, to: effect.id, confidence: 0.5 })).toBe(0.5);
    expect(memory.strengthenCausalLink(cause.id, effect.id)).toBeCloseTo(0.55);
    expect(memory.weakenCausalLink(cause.id, effect.id)).toBeCloseTo(0.495);
    for (let step = 0; step < 100; step += 1) memory.strengthenCausalLink(cause.id, effect.id);
    expect(memory.get(cause.id)?.causalLinks[0]?.confidence).toBe(0.99);
    for (let step = 0; step < 100; step += 1) memory.weakenCausalLink(cause.id, effect.id);
    expect(memory.get(cause.id)?.causalLinks[0]?.confidence).toBe(0.1);
    expect(() => memory.strengthenCausalLink(effect.id, cause.id)).toThrow(/No "causes" link/);
    expect(() => memory.addCausalLink({ from: cause.id, to: "missing" })).toThrow(expect.objectContaining({ code: "memory_not_found" }));
    memory.delete(effect.id);
    expect(memory.get(cause.id)?.causalLinks).toEqual([]);
  });
});

describe("HierarchicalMemory.consolidate", () => {
  it("turns 10 similar episodes into one semantic memory that points back to them", async () => {
    const memory = new HierarchicalMemory();
    const ids: string[] = [];
    for (const [index, content] of SIMILAR_EPISODES.entries()) {
      const result = await memory.store({ level: "episodic", kind: "success", content, sourceEpisode: `episode-${index}` });
      expect(result.status).toBe("added");
      ids.push(result.id);
    }
    for (const content of UNRELATED.slice(0, 3)) await memory.store({ level: "episodic", content });
    const report = await memory.consolidate();
    expect(report.patterns).toHaveLength(1);
    const pattern = memory.get(report.patterns[0] as string);
    expect(pattern?.level).toBe("semantic");
    expect([...(pattern?.sources ?? [])].sort()).toEqual([...ids].sort());
    expect(pattern?.metadata.sourceEpisodes).toHaveLength(10);
    expect(pattern?.content).toMatch(/^Pattern across 10 episodes \(10 succeeded, 0 failed\), about .*settled/);
    for (const id of ids) expect(memory.get(id)?.consolidatedInto).toBe(pattern?.id);
    // A second pass does not consolidate the same episodes again.
    expect((await memory.consolidate()).patterns).toEqual([]);
  });

  it("asks the model for the summary when one is configured, and falls back to rules when it fails", async () => {
    const summary = "Revenue answers sum settled amount_cents and filter on dt.";
    const withModel = new HierarchicalMemory({ llm: new FakeListChatModel({ responses: [JSON.stringify({ summary })] }) });
    const failing = new HierarchicalMemory({ llm: new FailingChatModel() });
    for (const content of SIMILAR_EPISODES) {
      await withModel.store({ level: "episodic", content });
      await failing.store({ level: "episodic", content });
    }
    const fromModel = await withModel.consolidate();
    expect(withModel.get(fromModel.patterns[0] as string)?.content).toBe(summary);
    expect(fromModel.modelFailures).toBe(0);
    expect(withModel.llmUsage()).toMatchObject({ calls: 1, failures: 0 });
    const fallback = await failing.consolidate();
    expect(fallback.modelFailures).toBe(1);
    expect(failing.get(fallback.patterns[0] as string)?.content).toMatch(/^Pattern across 10 episodes/);
  });

  it("gives the model no longer than llmTimeoutMs for a summary, then uses the rules", async () => {
    const summary = "Revenue answers sum settled amount_cents and filter on dt.";
    const slow = () => new FakeListChatModel({ responses: [JSON.stringify({ summary })], sleep: 400 });
    const hurried = new HierarchicalMemory({ llm: slow(), llmTimeoutMs: 50 });
    const patient = new HierarchicalMemory({ llm: slow(), llmTimeoutMs: 5_000 });
    for (const content of SIMILAR_EPISODES) {
      await hurried.store({ level: "episodic", content });
      await patient.store({ level: "episodic", content });
    }
    const timedOut = await hurried.consolidate();
    expect(timedOut.modelFailures).toBe(1);
    expect(hurried.get(timedOut.patterns[0] as string)?.content).toMatch(/^Pattern across 10 episodes/);
    const answered = await patient.consolidate();
    expect(patient.get(answered.patterns[0] as string)?.content).toBe(summary);
  });

  it("rejects a model summary that is empty, a JSON object or not grounded in the episodes, and uses the rules", async () => {
    const answers = [
      JSON.stringify({ summary: "" }),
      JSON.stringify({ summary: "{}" }),
      JSON.stringify({ summary: "Customers prefer weekly newsletters about gardening tools." }),
      JSON.stringify({ reasoning: "the obvious reading", action: "filter dates on ts" }),
    ];
    for (const [index, answer] of answers.entries()) {
      const memory = new HierarchicalMemory({ llm: new FakeListChatModel({ responses: [answer] }) });
      for (const content of SIMILAR_EPISODES) await memory.store({ level: "episodic", content });
      const report = await memory.consolidate();
      expect(report.modelFailures).toBe(1);
      expect(memory.get(report.patterns[0] as string)?.content).toMatch(/^Pattern across 10 episodes/);
      // The first three are well-formed and rejected for their content; the last has the wrong shape.
      expect(memory.llmUsage()).toMatchObject({ calls: 1, failures: 1, rejected: index < 3 ? 1 : 0 });
    }
  });

  it("derives a procedure and wisdom from successes and failures with a model, and writes no word lists without one", async () => {
    const goal = "daily revenue";
    const successes = [
      "Summed settled amounts filtered on dt for Monday",
      "Grouped settled revenue by dt for the week",
      "Filtered settled rows on dt before summing March",
    ];
    const failures = ["Filtered on ts and included pending rows", "Used ts for the date and summed pending payments"];
    const fill = async (memory: HierarchicalMemory) => {
      for (const content of successes) await memory.store({ level: "episodic", kind: "success", content, taskType: "revenue", goal, value: 0.9 });
      for (const content of failures) await memory.store({ level: "episodic", kind: "failure", content, taskType: "revenue", goal, value: 0.1 });
    };
    const offline = new HierarchicalMemory();
    await fill(offline);
    const none = await offline.consolidate();
    expect(none.procedures).toHaveLength(0);
    expect(none.meta).toHaveLength(0);
    const summary = "Filter settled rows on dt; never ts.";
    const memory = new HierarchicalMemory({ llm: new FakeListChatModel({ responses: [JSON.stringify({ summary })] }) });
    await fill(memory);
    const report = await memory.consolidate();
    expect(report.procedures).toHaveLength(1);
    expect(memory.get(report.procedures[0] as string)).toMatchObject({ level: "procedural", content: summary });
    expect(report.meta).toHaveLength(1);
    expect(memory.get(report.meta[0] as string)).toMatchObject({ level: "meta", protected: true, content: summary });
  });

  it("prunes old low-value episodes, at most a fifth a pass", async () => {
    const clock = new ManualClock(0);
    const memory = new HierarchicalMemory({ clock });
    for (const [index, content] of UNRELATED.entries()) {
      await memory.store({ level: "episodic", content, goal: "g", value: index < 5 ? 0.1 : 0.8 });
    }
    await memory.store({ level: "episodic", content: "Recent but worthless note", goal: "g", value: 0 });
    clock.advance(2 * HOUR);
    await memory.store({ level: "episodic", content: "Young note added later", goal: "g", value: 0.05 });
    clock.advance(23 * HOUR);
    const report = await memory.consolidate();
    expect(report.pruned).toHaveLength(2); // 10 episodic memories, 20%
    for (const id of report.pruned) expect(memory.get(id)).toBeUndefined();
    expect(memory.list("episodic").some((entry) => entry.content === "Young note added later")).toBe(true);
  });

  it("renders the learned context with values", async () => {
    const memory = new HierarchicalMemory();
    const goal = "daily revenue";
    for (const content of SIMILAR_EPISODES) await memory.store({ level: "episodic", kind: "success", content, goal, value: 0.8 });
    await memory.store({ level: "procedural", content: "Filter on dt, then sum settled amount_cents / 100.0", goal, value: 0.7 });
    const cause = await memory.store({ level: "causal", content: "Filtering on ts", goal, value: 0.2 });
    const effect = await memory.store({ level: "causal", content: "Totals shift across midnight", goal, value: 0.2 });
    memory.addCausalLink({ from: cause.id, to: effect.id, confidence: 0.6 });
    await memory.consolidate();
    const context = await memory.getConsolidatedKnowledge({ goal, maxItems: 10 });
    const lines = context.split("\n");
    expect(lines[0]).toMatch(/^High-value pattern: Pattern across 10 episodes.* \(V=0\.80\)$/);
    expect(lines).toContain("Procedure: Filter on dt, then sum settled amount_cents / 100.0 (V=0.70)");
    expect(lines).toContain('Causal link: "Filtering on ts" causes "Totals shift across midnight" (confidence 0.60)');
    expect((await memory.getConsolidatedKnowledge({ goal, maxItems: 2 })).split("\n")).toHaveLength(2);
    expect(await new HierarchicalMemory().getConsolidatedKnowledge({ goal })).toBe("");
  });
});

describe("snapshots", () => {
  const contentArbitrary = fc
    .array(fc.constantFrom("revenue", "settled", "dt", "refund", "merchant", "pending", "daily", "weekly", "count", "sum"), {
      minLength: 2,
      maxLength: 7,
    })
    .map((words) => words.join(" "));

  it("round-trip through JSON: the restored memory snapshots identically and retrieves identically", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            content: contentArbitrary,
            level: fc.constantFrom(...MEMORY_LEVELS),
            kind: fc.constantFrom("success", "failure", "neutral", undefined),
            goal: fc.constantFrom("daily revenue", "refund count", undefined),
            value: fc.double({ min: 0, max: 1, noNaN: true }),
            protected: fc.boolean(),
          }),
          { minLength: 1, maxLength: 12 },
        ),
        fc.boolean(),
        async (inputs, includeVectors) => {
          const clock = new ManualClock(1_000);
          const memory = new HierarchicalMemory({ clock, settings: { nearDuplicateThreshold: 0.99 } });
          const ids: string[] = [];
          for (const input of inputs) {
            clock.advance(10);
            const { id } = await memory.store({
              content: input.content,
              level: input.level,
              protected: input.protected,
              ...(input.kind === undefined ? {} : { kind: input.kind }),
              ...(input.goal === undefined ? {} : { goal: input.goal, value: input.value }),
            });
            ids.push(id);
          }
          if (ids.length > 1) memory.addCausalLink({ from: ids[0] as string, to: ids[ids.length - 1] as string });
          await memory.retrieve({ goal: "daily revenue", k: 3 });
          const snapshot = JSON.parse(JSON.stringify(memory.snapshot({ includeVectors })));
          const restored = await HierarchicalMemory.restore(snapshot, { clock });
          expect(restored.snapshot({ includeVectors })).toEqual(memory.snapshot({ includeVectors }));
          const query = { goal: "refund count", query: "settled revenue", k: 4 };
          expect(await restored.retrieve(query)).toEqual(await memory.retrieve(query));
        },
      ),
      { numRuns: 25 },
    );
  });

  it("re-embeds when the snapshot's vectors came from another embedder", async () => {
    const memory = new HierarchicalMemory({ embedder: new HashingEmbedder({ dimensions: 64 }) });
    await memory.store({ level: "episodic", content: "Refunds are negative amounts" });
    const restored = await HierarchicalMemory.restore(memory.snapshot({ includeVectors: true }), {
      embedder: new HashingEmbedder({ dimensions: 128 }),
    });
    const [found] = await restored.retrieve({ goal: "refund amounts", k: 1 });
    expect(found?.content).toBe("Refunds are negative amounts");
  });

  it("refuses a snapshot from a newer version, or a malformed one, with a clear error", async () => {
    const snapshot = new HierarchicalMemory().snapshot();
    await expect(HierarchicalMemory.restore({ ...snapshot, schemaVersion: 7 })).rejects.toMatchObject({
      code: "snapshot_version_unsupported",
      message: expect.stringContaining("schema version 7, newer than this Jotty reads (2)"),
    });
    await expect(HierarchicalMemory.restore({ ...snapshot, entries: [{ id: 3 }] })).rejects.toMatchObject({
      code: "snapshot_invalid",
    });
    await expect(HierarchicalMemory.restore("not a snapshot")).rejects.toBeInstanceOf(JottyError);
  });
});

describe("HierarchicalMemory.search", () => {
  async function filled(): Promise<{ memory: HierarchicalMemory; partition: string; error: string }> {
    const memory = new HierarchicalMemory();
    const partition = (await memory.store({ level: "semantic", content: "Filter dates on the partition column dt, not on the UTC timestamp ts" })).id;
    const error = (await memory.store({ level: "episodic", actor: "query-writer", content: "The query failed: no such column: transaction_categroy" })).id;
    for (const content of UNRELATED) await memory.store({ level: "episodic", content });
    return { memory, partition, error };
  }

  it("tolerates typos with fuzzy on, and finds by meaning either way", async () => {
    const { memory, partition } = await filled();
    const [best] = await memory.search({ text: "partiton colum", fuzzy: true });
    expect(best?.entry.id).toBe(partition);
    expect(best?.fuzzy).toBeGreaterThan(0.8);
    expect(best?.score).toBe(Math.max(best?.fuzzy ?? 0, best?.semantic ?? 0));
    // Without fuzzy the misspelled words have no spelling score and the match is weaker.
    const plain = await memory.search({ text: "partiton colum", minScore: 0 });
    expect(plain.every((match) => match.fuzzy === 0)).toBe(true);
    expect(plain.find((match) => match.entry.id === partition)?.score ?? 0).toBeLessThan(best?.score as number);
    const byMeaning = await memory.search({ text: "filter dates on the partition column" });
    expect(byMeaning[0]?.entry.id).toBe(partition);
  });

  it("matches error messages and names, filtered by level and actor, and refuses bad input", async () => {
    const { memory, error } = await filled();
    const found = await memory.search({ text: "no such column transaction_category", fuzzy: true, levels: ["episodic"], actors: ["query-writer"] });
    expect(found.map((match) => match.entry.id)).toEqual([error]);
    expect(await memory.search({ text: "no such column transaction_category", fuzzy: true, levels: ["semantic"], actors: ["query-writer"] })).toEqual([]);
    // Matches by spelling keep to the same owners as matches by meaning: a team memory has no actor, not "".
    expect((await memory.search({ text: "partiton column", fuzzy: true })).length).toBeGreaterThan(0);
    expect(await memory.search({ text: "partiton column", fuzzy: true, actors: [""] })).toEqual([]);
    const forOther = await memory.search({ text: "no such column transaction_category", fuzzy: true, visibleTo: "planner" });
    expect(forOther.map((match) => match.entry.id)).not.toContain(error);
    await expect(memory.search({ text: "  " })).rejects.toThrow(JottyError);
    await expect(memory.search({ text: "dt", k: 0 })).rejects.toThrow(/k must be a positive whole number/);
    // Searching is not an access.
    expect(memory.get(error)?.accessCount).toBe(0);
  });
});

describe("HierarchicalMemory fuzzy term index", () => {
  const terms = (text: string): string[] => text.toLowerCase().split(/[^\p{L}\p{N}_]+/u).filter((term) => term.length > 0);
  /** The definition, memory by memory: mean over query terms of the best spelling match within the allowance. */
  function reference(query: readonly string[], content: string): number {
    const own = new Set(terms(content));
    let total = 0;
    for (const term of query) {
      const allowed = term.length <= 4 ? 1 : term.length <= 8 ? 2 : 3;
      let best = 0;
      for (const candidate of own) {
        const edits = distance(term, candidate);
        if (edits <= allowed) best = Math.max(best, 1 - edits / Math.max(term.length, candidate.length));
      }
      total += best;
    }
    return query.length === 0 ? 0 : total / query.length;
  }
  const WORDS = ["partition", "column", "settled", "revenue", "channel", "category", "dt", "ts", "status", "amount_cents", "merchant", "refund"];
  const word = fc.tuple(fc.constantFrom(...WORDS), fc.nat(), fc.constantFrom("", "x", "drop", "swap")).map(([base, at, edit]) => {
    const position = at % base.length;
    if (edit === "x") return `${base.slice(0, position)}x${base.slice(position)}`;
    if (edit === "drop") return base.slice(0, position) + base.slice(position + 1) || base;
    if (edit === "swap" && position + 1 < base.length) return base.slice(0, position) + base[position + 1] + base[position] + base.slice(position + 2);
    return base;
  });
  const text = fc.array(word, { minLength: 1, maxLength: 6 }).map((words) => words.join(" "));

  it("scores every memory as the definition does, through stores, deletes and changed items", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(text, { minLength: 1, maxLength: 12 }), fc.array(fc.nat(), { maxLength: 4 }), text, text, async (contents, deletions, changed, query) => {
        const memory = new HierarchicalMemory({ settings: { nearDuplicateThreshold: 1 } });
        await memory.search({ text: "warm", fuzzy: true }); // builds the index before the writes
        for (const content of contents) await memory.store({ level: "episodic", content });
        const item = await memory.putItem({ level: "semantic", key: "note", content: "placeholder text", payload: {} });
        await memory.putItem({ level: "semantic", key: "note", content: changed, payload: {} });
        for (const pick of deletions) {
          const ids = memory.list().map((entry) => entry.id).filter((id) => id !== item);
          if (ids.length > 0) memory.delete(ids[pick % ids.length] as string);
        }
        const found = new Map((await memory.search({ text: query, fuzzy: true, k: 1000, minScore: 0 })).map((match) => [match.entry.id, match.fuzzy]));
        const all = terms(query);
        const long = all.filter((term) => term.length >= 3);
        const asked = long.length > 0 ? long : all;
        for (const entry of memory.list()) {
          const expected = reference(asked, entry.content);
          if (expected > 0) expect(found.get(entry.id)).toBeCloseTo(expected, 12);
          else expect(found.get(entry.id) ?? 0).toBe(0);
        }
      }),
      { numRuns: 80 },
    );
  });
});

describe("HierarchicalMemory.prune", () => {
  const DAY = 86_400_000;

  async function aged(): Promise<{ memory: HierarchicalMemory; clock: ManualClock; ids: { stale: string; guarded: string; poor: string; good: string; fresh: string } }> {
    const clock = new ManualClock(0);
    const memory = new HierarchicalMemory({ clock });
    const add = async (content: string, extra: Record<string, unknown> = {}) => (await memory.store({ level: "episodic", content, ...extra })).id;
    const ids = {
      stale: await add("A one-off about the office plant"),
      guarded: await add("The house rules, kept whatever happens", { protected: true }),
      poor: await add("Filtering on ts gave wrong daily counts"),
      good: await add("Filtering on dt gave right daily counts"),
      fresh: "",
    };
    memory.setValue({ id: ids.poor, goal: "daily counts", value: 0.1, visit: true });
    memory.setValue({ id: ids.good, goal: "daily counts", value: 0.9, visit: true });
    clock.advance(100 * DAY);
    ids.fresh = await add("Money is amount_cents / 100.0");
    await memory.retrieve({ goal: "daily counts", query: "Filtering on dt gave right daily counts", k: 1 });
    return { memory, clock, ids };
  }

  it("by age of last use, never a protected memory, and a dry run changes nothing", async () => {
    const { memory, ids } = await aged();
    const dry = memory.prune({ policies: [{ kind: "age" }], dryRun: true });
    expect(dry.removed.map((entry) => entry.id).sort()).toEqual([ids.stale, ids.poor].sort());
    expect(dry.removed[0]?.reasons[0]).toMatch(/unused for 100 days/);
    expect(memory.size()).toBe(5);
    expect(dry.remaining).toBe(3);
    const done = memory.prune({ policies: [{ kind: "age" }] });
    expect(done.remaining).toBe(3);
    expect(memory.get(ids.guarded)).toBeDefined();
    expect(memory.get(ids.good)).toBeDefined(); // used just now
    expect(memory.get(ids.stale)).toBeUndefined();
  });

  it("by value below a floor, by usage rate and by a size budget, composed", async () => {
    const { memory, ids } = await aged();
    expect(memory.prune({ policies: [{ kind: "value" }], dryRun: true }).removed.map((entry) => entry.id)).toEqual([ids.poor]);
    expect(memory.prune({ policies: [{ kind: "usage", minPerDay: 0.005 }], dryRun: true }).removed.map((entry) => entry.id).sort()).toEqual([ids.stale, ids.poor].sort());
    const budget = memory.prune({ policies: [{ kind: "budget", keep: 2 }], dryRun: true });
    // The two most valuable stay: "good" (0.9), then the newest uncredited (0.5 by default);
    // of the rest the protected one stays too, so "stale" and "poor" (0.1) go.
    expect(budget.removed.map((entry) => entry.id).sort()).toEqual([ids.stale, ids.poor].sort());
    expect(budget.removed[0]?.reasons).toEqual(["beyond the 2 most valuable"]);
    const both = memory.prune({ policies: [{ kind: "value", floor: 0.2 }, { kind: "age", maxIdleDays: 200 }] });
    expect(both.removed.map((entry) => entry.id)).toEqual([ids.poor]);
    expect(() => memory.prune({ policies: [{ kind: "age", maxIdleDays: -1 }] })).toThrow(JottyError);
    expect(() => memory.prune({ policies: [] })).toThrow(/Give at least one of age, value, usage, budget/);
    expect(memory.size()).toBe(4);
  });
});

describe("HierarchicalMemory visibility", () => {
  /** Memories of distinct made-up words, so none is a near duplicate of another. */
  function notes(seed: number, count: number): string[] {
    const rng = new Rng(seed);
    return Array.from({ length: count }, (_, index) => `note ${index}: ${Array.from({ length: 8 }, () => `w${rng.int(0, 400)}`).join(" ")}`);
  }

  async function teamAmongOwned(): Promise<{ memory: HierarchicalMemory; team: Set<string> }> {
    const memory = new HierarchicalMemory({ clock: new ManualClock(0), createIndex: (dimensions) => new TieredVectorIndex({ dimensions, approximateFrom: 0 }) });
    const team = new Set<string>();
    for (const [index, content] of notes(3, 900).entries()) {
      const owned = index % 30 !== 0;
      const { id } = await memory.store({ level: "episodic", content, ...(owned ? { actor: `actor-${index % 3}` } : {}) });
      if (!owned) team.add(id);
    }
    return { memory, team };
  }

  it("gives the team only memories of no actor, and an actor its own and the team's, filtered inside the index", async () => {
    const { memory, team } = await teamAmongOwned();
    expect(memory.indexKind).toBe("approximate");
    for (const query of notes(4, 10)) {
      const forTeam = await memory.retrieve({ goal: query, visibleTo: null, k: 5, record: false });
      expect(forTeam).toHaveLength(5);
      for (const entry of forTeam) expect(team.has(entry.id)).toBe(true);
      const forActor = await memory.retrieve({ goal: query, visibleTo: "actor-1", k: 5, record: false });
      for (const entry of forActor) expect(team.has(entry.id) || entry.metadata.actor === "actor-1").toBe(true);
      const similar = await memory.similar({ text: query, k: 5, visibleTo: null, predicate: (entry) => entry.content.length > 0 });
      for (const { entry } of similar) expect(entry.metadata.actor).toBeUndefined();
    }
    // Thirty team memories are scored directly, not looked for in a graph walk that meets few of them.
    expect(memory.indexCounters().exactFallbacks).toBe(0);
  });

  it("keeps a team search and a search for anyone apart in the retrieval cache", async () => {
    const { memory, team } = await teamAmongOwned();
    const query = { goal: notes(5, 1)[0] as string, k: 5, record: false };
    const forTeam = await memory.retrieve({ ...query, visibleTo: null });
    const forAnyone = await memory.retrieve(query);
    expect(forTeam.every((entry) => team.has(entry.id))).toBe(true);
    expect(forAnyone.some((entry) => !team.has(entry.id))).toBe(true);
    expect(memory.cacheStats()).toMatchObject({ hits: 0, misses: 2 });
  });

  it("keeps an item of actor \"\" hidden from the team when it is rewritten without an actor", async () => {
    const memory = new HierarchicalMemory({ clock: new ManualClock(0) });
    for (const content of UNRELATED) await memory.store({ level: "semantic", content });
    const id = await memory.putItem({ level: "semantic", actor: "", key: "note", content: "placeholder", payload: {} });
    expect(await memory.putItem({ level: "semantic", key: "note", content: "The revenue partition column is dt", payload: {} })).toBe(id);
    const forTeam = await memory.retrieve({ goal: "revenue partition column", visibleTo: null, k: 20, record: false });
    expect(forTeam.map((entry) => entry.id)).not.toContain(id);
    expect((await memory.retrieve({ goal: "revenue partition column", k: 1, record: false }))[0]?.id).toBe(id);
  });
});

describe("HierarchicalMemory retrieval cache", () => {
  const query = { goal: "daily revenue by region", query: "revenue partition column" };

  it("never returns a stale result: a store, a delete or a changed item in a searched level shows at once", async () => {
    const memory = new HierarchicalMemory({ clock: new ManualClock(0) });
    for (const content of UNRELATED) await memory.store({ level: "episodic", content });
    const before = await memory.retrieve({ ...query, record: false });
    expect(before.map((entry) => entry.content)).not.toContain("The revenue partition column is dt");
    await memory.retrieve({ ...query, record: false });
    expect(memory.cacheStats()).toMatchObject({ hits: 1, misses: 1 });

    const { id } = await memory.store({ level: "episodic", content: "The revenue partition column is dt" });
    const afterStore = await memory.retrieve({ ...query, record: false });
    expect(afterStore[0]?.id).toBe(id);

    memory.delete(id);
    const afterDelete = await memory.retrieve({ ...query, record: false });
    expect(afterDelete.map((entry) => entry.id)).not.toContain(id);

    const item = await memory.putItem({ level: "episodic", key: "note", content: "Lunch menu for Friday", payload: {} });
    expect((await memory.retrieve({ ...query, record: false })).map((entry) => entry.id)).not.toContain(item);
    await memory.putItem({ level: "episodic", key: "note", content: "revenue partition column: dt", payload: {} });
    expect((await memory.retrieve({ ...query, record: false }))[0]?.id).toBe(item);
    expect(memory.cacheStats().misses).toBe(5);
  });

  it("keeps searches of levels a write did not touch, and re-reads values and use on every hit", async () => {
    const memory = new HierarchicalMemory({ clock: new ManualClock(0) });
    const { id } = await memory.store({ level: "semantic", content: "Revenue is summed from amount_cents of settled rows", goal: query.goal, value: 0.5 });
    await memory.store({ level: "semantic", content: "Orders are counted per channel" });
    const first = await memory.retrieve({ ...query, levels: ["semantic"], record: false });
    await memory.store({ level: "episodic", content: "Revenue question answered with dt" });
    memory.setValue({ id, goal: query.goal, value: 0.9 });
    const second = await memory.retrieve({ ...query, levels: ["semantic"], record: false });
    expect(memory.cacheStats()).toMatchObject({ hits: 1, misses: 1 });
    expect(second.map((entry) => entry.id)).toEqual(first.map((entry) => entry.id));
    expect(second.find((entry) => entry.id === id)?.value).toBe(0.9);
    // A search of every level covers the episodic write.
    await memory.retrieve({ ...query, record: false });
    await memory.store({ level: "episodic", content: "Another revenue episode" });
    await memory.retrieve({ ...query, record: false });
    expect(memory.cacheStats()).toMatchObject({ hits: 1, misses: 3 });
  });

  it("gives the same results with and without the cache over any sequence of writes and reads", async () => {
    const texts = [...UNRELATED, ...SIMILAR_EPISODES];
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.record({ op: fc.constant("store" as const), text: fc.integer({ min: 0, max: texts.length - 1 }), level: fc.constantFrom<MemoryLevel>("episodic", "semantic") }),
            fc.record({ op: fc.constant("delete" as const), pick: fc.nat() }),
            fc.record({ op: fc.constant("retrieve" as const), text: fc.integer({ min: 0, max: texts.length - 1 }), levels: fc.constantFrom<MemoryLevel[] | undefined>(undefined, ["episodic"], ["semantic"]) }),
          ),
          { minLength: 1, maxLength: 30 },
        ),
        async (operations) => {
          const cached = new HierarchicalMemory({ clock: new ManualClock(0), settings: { capacities: { episodic: 6, semantic: 6, procedural: 5, meta: 5, causal: 5 } } });
          const plain = new HierarchicalMemory({ clock: new ManualClock(0), retrievalCache: 0, settings: cached.settings });
          for (const operation of operations) {
            if (operation.op === "store") {
              for (const memory of [cached, plain]) await memory.store({ level: operation.level, content: texts[operation.text] as string });
            } else if (operation.op === "delete") {
              const ids = cached.list().map((entry) => entry.id);
              const victim = ids[operation.pick % Math.max(1, ids.length)];
              if (victim !== undefined) for (const memory of [cached, plain]) memory.delete(victim);
            } else {
              const input = { goal: "revenue", query: texts[operation.text] as string, k: 3, ...(operation.levels === undefined ? {} : { levels: operation.levels }) };
              expect(await cached.retrieve(input)).toEqual(await plain.retrieve(input));
            }
          }
          expect(plain.cacheStats()).toMatchObject({ hits: 0, misses: 0, capacity: 0 });
        },
      ),
      { numRuns: 60 },
    );
  });

  it("refuses a bad cache size", () => {
    expect(() => new HierarchicalMemory({ retrievalCache: -1 })).toThrow(JottyError);
    expect(() => new HierarchicalMemory({ retrievalCache: 1.5 })).toThrow(/whole number/);
  });
});
