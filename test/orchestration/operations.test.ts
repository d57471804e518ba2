import os from "node:os";
import path from "node:path";
import fs from "fs-extra";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  AuditLog,
  Conductor,
  HierarchicalMemory,
  JottyError,
  ManualClock,
  MemoryLearner,
  parseConfig,
  PolicyActor,
  QPredictor,
  RunnableActor,
  type ActorContext,
  type JottyConfigInput,
} from "../../src/index.js";
import { runCli } from "../../src/cli/index.js";

let dir: string;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "jotty-operations-"));
});

afterEach(async () => {
  await fs.remove(dir);
});

function cliff(overrides: JottyConfigInput = {}): JottyConfigInput {
  return {
    learningMode: "persistent",
    outputDir: dir,
    seed: 1,
    environment: { name: "cliff-walking", options: { columns: 5, maxSteps: 12 } },
    learning: { alpha: 0.5, gamma: 1, epsilon: { kind: "constant", value: 0.2 } },
    qPredictor: { similarity: false },
    training: { maxStepsPerEpisode: 12, saveEvery: 5 },
    ...overrides,
  };
}

const ALICE_SECRET = "Alice keeps the warehouse code 4417 in her notes";
const BOB_SECRET = "Bob found that the partition column is called dt_partition";
const BOB_SHARED = "Bob's private draft about the quarterly partition report";

describe("Actor isolation", () => {
  it("an actor reads its own and the shared memory through every call, never another actor's", async () => {
    const ids: Record<string, string> = {};
    const seen: string[] = [];
    const attempts: Array<() => Promise<void>> = [];
    const readEverything = async (context: ActorContext): Promise<void> => {
      const { memory } = context;
      for (const text of [BOB_SECRET, BOB_SHARED, "partiton colum dt_partiton", ALICE_SECRET]) {
        for (const scope of ["local", "shared", "all"] as const) {
          for (const found of await memory.retrieve({ goal: context.goal, query: text, k: 50, scope })) seen.push(found.content);
          for (const found of await memory.search({ text, fuzzy: true, k: 50, minScore: 0, scope })) seen.push(found.entry.content);
        }
        for (const found of await context.localMemory.search({ text, fuzzy: true, k: 50, minScore: 0 })) seen.push(found.entry.content);
      }
      for (const id of Object.values(ids)) {
        const entry = memory.get(id) ?? context.localMemory.get(id);
        if (entry !== undefined) seen.push(entry.content);
      }
      seen.push(...context.localMemory.list().map((entry) => entry.content));
      seen.push(...context.localMemories.map((entry) => entry.content), context.learnedContext);
    };
    const alice = new RunnableActor({
      name: "alice",
      run: async (context) => {
        if (context.episode === 0 && ids.alice === undefined) ids.alice = (await context.memory.store({ level: "semantic", content: ALICE_SECRET })).id;
        if (context.episode === 1 && context.step === 0) {
          await readEverything(context);
          attempts.push(() => context.memory.store({ level: "semantic", content: "written for bob", actor: "bob" }).then(() => undefined));
        }
        return context.actions[0] as string;
      },
    });
    const bob = new RunnableActor({
      name: "bob",
      dependsOn: ["alice"],
      run: async (context) => {
        if (ids.bob === undefined) ids.bob = (await context.memory.store({ level: "semantic", content: BOB_SECRET })).id;
        return context.actions[1] as string;
      },
    });
    const conductor = await Conductor.create({ config: cliff({ learningMode: "contextual" }), actors: [alice, bob] });
    await conductor.sharedMemory.store({ level: "semantic", content: "The team uses dt as the partition column" });
    ids.bobShared = await conductor.sharedMemory.putItem({ level: "semantic", actor: "bob", key: "draft", content: BOB_SHARED, payload: {} });
    await conductor.run();
    await conductor.run();

    expect(ids.bob).toBeDefined();
    expect(conductor.localMemories.get("bob")?.get(ids.bob as string)?.content).toBe(BOB_SECRET);
    const text = seen.join("\n");
    // Her own and the team's memories are there (the reads work) ...
    expect(text).toContain(ALICE_SECRET);
    expect(text).toContain("The team uses dt as the partition column");
    // ... Bob's are not, neither his local memory nor what he owns in the shared one.
    expect(text).not.toContain(BOB_SECRET);
    expect(text).not.toContain(BOB_SHARED);
    await expect((attempts[0] as () => Promise<void>)()).rejects.toThrow(/cannot write a memory owned by "bob"/);
    // Alice's memory is owned by her.
    expect(conductor.localMemories.get("alice")?.get(ids.alice as string)?.metadata.actor).toBe("alice");
  });
});

describe("Per-actor overrides and owners", () => {
  it("rejects overrides of unknown actors and a team with every actor disabled", () => {
    expect(() => parseConfig({ actors: [{ name: "scout" }], actorOverrides: { ghost: { enabled: false } } })).toThrow(/actorOverrides\.ghost: no actor is named "ghost"/);
    expect(() => parseConfig({ actors: [{ name: "scout" }], actorOverrides: { scout: { enabled: false } } })).toThrow(/every actor is disabled/);
    expect(() => parseConfig({ actors: [{ name: "scout" }], actorOverrides: { scout: { learningRate: 2 } } })).toThrow(JottyError);
  });

  it("leaves a disabled actor out of the team and carries its local memory over unchanged", async () => {
    const actors = [{ name: "walker" }, { name: "helper", dependsOn: ["walker"] }];
    const first = await Conductor.create({ config: cliff({ actors }) });
    await first.train({ episodes: 4 });
    const helperMemories = first.localMemories.get("helper")?.list() ?? [];
    expect(helperMemories.length).toBeGreaterThan(0);

    const second = await Conductor.create({ config: cliff({ actors, actorOverrides: { helper: { enabled: false } } }) });
    expect([...second.actors.keys()]).toEqual(["walker"]);
    expect(second.localMemories.has("helper")).toBe(false);
    const results = await second.train({ episodes: 3 });
    expect(results.every((result) => result.actorsUsed.every((name) => name === "walker"))).toBe(true);

    const third = await Conductor.create({ config: cliff({ actors }) });
    expect(third.localMemories.get("helper")?.list()).toEqual(helperMemories);
    // Its vectors were carried with it: loaded, not embedded again.
    expect(third.localMemories.get("helper")?.vectorRestore.vectors).toBe("loaded");
  });

  it("gives an actor its own local capacities and learning rate, and stamps owners on what it learns", async () => {
    const config = (learningRate?: number) =>
      cliff({
        learningMode: "contextual",
        actors: [{ name: "walker" }],
        owner: { user: "ana", tenant: "acme" },
        actorOverrides: { walker: { capacities: { episodic: 7 }, ...(learningRate === undefined ? {} : { learningRate }) } },
      });
    const plain = await Conductor.create({ config: config() });
    const slow = await Conductor.create({ config: config(0.05) });
    const same = await Conductor.create({ config: config(0.5) });
    for (const conductor of [plain, slow, same]) await conductor.train({ episodes: 2 });

    expect(plain.localMemories.get("walker")?.settings.capacities).toMatchObject({ episodic: 7, semantic: 500 });
    expect(plain.sharedMemory.settings.capacities.episodic).toBe(1000);
    const values = (conductor: Conductor) => conductor.q.list().map((entry) => [entry.state, entry.action, entry.value]);
    // An override equal to the team's α changes nothing; a smaller one learns less from the same episodes.
    expect(values(same)).toEqual(values(plain));
    expect(values(slow)).not.toEqual(values(plain));
    const magnitude = (conductor: Conductor) => conductor.q.list().reduce((total, entry) => total + Math.abs(entry.value), 0);
    expect(magnitude(slow)).toBeLessThan(magnitude(plain));

    for (const entry of plain.q.list()) expect(entry.owner).toEqual({ actor: "walker", user: "ana", tenant: "acme" });
    for (const entry of plain.sharedMemory.list("episodic")) expect(entry.metadata).toMatchObject({ user: "ana", tenant: "acme" });
    for (const entry of plain.localMemories.get("walker")?.list("episodic") ?? []) expect(entry.metadata).toMatchObject({ actor: "walker", user: "ana", tenant: "acme" });
    const playbook = plain.experience?.playbooks.get(plain.playbook);
    expect(playbook?.scope).toEqual({ kind: "tenant", id: "acme" });
  });

  it("credits a memory attached with its own step size by that step size", async () => {
    const credit = async (alpha?: number) => {
      const memory = new HierarchicalMemory({ clock: new ManualClock(0) });
      const { id } = await memory.store({ level: "episodic", content: "Filter on dt", goal: "revenue", value: 0.5 });
      const learner = new MemoryLearner({ alpha: 0.1, gamma: 1, lambda: 1 });
      learner.attach(memory, alpha === undefined ? {} : { alpha });
      await learner.startEpisode({ goal: "revenue" });
      await memory.retrieve({ goal: "revenue" });
      await learner.endEpisode({ reward: 1 });
      return ((await memory.value(id, "revenue")) - 0.5) as number;
    };
    const team = await credit();
    const own = await credit(0.4);
    expect(team).toBeGreaterThan(0);
    expect(own / team).toBeCloseTo(4, 5);
    expect(() => new MemoryLearner().attach(new HierarchicalMemory(), { alpha: 0 })).toThrow(/alpha must be in \(0, 1\]/);
  });
});

describe("Q updates with an owner and a step size of their own", () => {
  it("records the owner on a new entry, learns by the given α, and refuses a bad α without changing anything", async () => {
    const q = new QPredictor({ alpha: 0.5, gamma: 0 });
    await q.update({ state: "s", action: "a", reward: 1, nextState: null, done: true, owner: { actor: "scout", tenant: "acme" }, alpha: 0.1 });
    expect(q.entry("s", "a")).toMatchObject({ value: 0.1, owner: { actor: "scout", tenant: "acme" } });
    await q.update({ state: "s", action: "a", reward: 1, nextState: null, done: true });
    expect(q.entry("s", "a")?.value).toBeCloseTo(0.55, 10);
    await expect(q.update({ state: "s", action: "a", reward: 1, nextState: null, done: true, alpha: 1.5 })).rejects.toThrow(/alpha must be in \(0, 1\]/);
    expect(q.entry("s", "a")).toMatchObject({ value: 0.55, visits: 2 });
  });
});

describe("Metrics", () => {
  it("reports the memories' vector indexes: which are approximate and how they searched", async () => {
    const exact = await Conductor.create({ config: cliff({ learningMode: "contextual", actors: [{ name: "walker" }] }) });
    await exact.train({ episodes: 3 });
    expect((await exact.metrics()).memories.index).toEqual({ approximate: 0, exactScans: 0, exactFallbacks: 0, rebuilds: 0, searchesReused: 0 });
    // Without similarity the Q-predictor keeps no vectors; with it, its states are indexed under the memories' settings.
    expect((await exact.metrics()).qIndex).toEqual({ kind: "none", exactScans: 0, exactFallbacks: 0, rebuilds: 0, searchesReused: 0 });
    for (const [approximateFrom, kind] of [[20_000, "exact"], [0, "approximate"]] as const) {
      const similar = await Conductor.create({ config: cliff({ learningMode: "contextual", actors: [{ name: "walker" }], qPredictor: { similarity: true }, memory: { index: { approximateFrom } } }) });
      await similar.train({ episodes: 2 });
      expect((await similar.metrics()).qIndex).toMatchObject({ kind, exactScans: 0, exactFallbacks: 0, rebuilds: 0 });
    }
    const conductor = await Conductor.create({ config: cliff({ learningMode: "contextual", actors: [{ name: "walker" }], memory: { index: { approximateFrom: 0 } } }) });
    await conductor.train({ episodes: 6 });
    const before = (await conductor.metrics()).memories;
    const regions = ["north", "south", "east", "west", "centre"];
    for (let at = 0; at < 40; at += 1) {
      await conductor.sharedMemory.store({ level: "semantic", content: `The ${regions[at % 5]} edge of grid ${at} has ${at % 7} cliff cells beyond column ${at % 3}` });
    }
    const metrics = await conductor.metrics();
    const { index } = metrics.memories;
    expect(index.approximate).toBe(Object.keys(metrics.memories.byActor).length);
    expect(metrics.memories.total - before.total).toBe(40);
    // Each new memory but the few placed above layer 0 was linked from the search its store made.
    expect(index.searchesReused - before.index.searchesReused).toBeGreaterThan(32);
    expect(index.searchesReused - before.index.searchesReused).toBeLessThanOrEqual(40);
  });

  it("reports latency percentiles, counts, cache hit rates and size on disk, keeps them in run_summary.json and prints them", async () => {
    const config = cliff({ actors: [{ name: "walker" }], training: { maxStepsPerEpisode: 12, saveEvery: 4 } });
    const conductor = await Conductor.create({ config });
    await conductor.train({ episodes: 12 });
    const metrics = await conductor.metrics();
    expect(metrics.latency.retrieve.count).toBeGreaterThan(0);
    expect(metrics.latency.store.count).toBeGreaterThan(0);
    expect(metrics.latency.predict.count).toBeGreaterThan(0);
    expect(metrics.latency.save.count).toBe(3);
    for (const operation of ["retrieve", "store", "predict", "save"] as const) {
      const latency = metrics.latency[operation];
      expect(latency.p50).toBeLessThanOrEqual(latency.p95);
      expect(latency.p95).toBeLessThanOrEqual(latency.p99);
      expect(latency.p99).toBeLessThanOrEqual(latency.max);
    }
    const stats = conductor.stats();
    const sum = (counts: Record<string, number>) => Object.values(counts).reduce((total, count) => total + count, 0);
    expect(metrics.memories.byActor).toEqual({ shared: sum(stats.memories.shared), walker: sum(stats.memories.local.walker ?? {}) });
    expect(metrics.memories.total).toBe(metrics.memories.byActor.shared! + metrics.memories.byActor.walker!);
    expect(metrics.memories.byLevel.episodic).toBe(stats.memories.shared.episodic! + stats.memories.local.walker!.episodic!);
    expect(metrics.qEntries).toBe(stats.qEntries);
    expect(metrics.lessons).toBe(stats.lessons);
    expect(metrics.llm.byMode.learner.episodes + metrics.llm.byMode.follower.episodes + metrics.llm.byMode.mixed.episodes).toBe(12);
    expect(metrics.llm.total).toEqual({ calls: 0, tokens: 0, cost: 0 });
    expect(metrics.cache.embeddings.hits).toBeGreaterThan(0);
    expect(metrics.cache.hitRate).toBeGreaterThan(0);
    const disk = metrics.disk!;
    expect(disk.runs).toHaveLength(3);
    expect(disk.runs[1]!.growth).toBe(disk.runs[1]!.bytes - disk.runs[0]!.bytes);
    expect(disk.growthPerRun).toBeCloseTo((disk.runs[2]!.bytes - disk.runs[0]!.bytes) / 2, 6);
    expect(disk.bytes).toBeGreaterThan(disk.runs.reduce((total, run) => total + run.bytes, 0));

    const newest = disk.runs[2]!.run;
    const summary = await fs.readJson(path.join(dir, newest, "run_summary.json"));
    expect(summary.metrics.latency.save.count).toBe(2);
    expect(summary.metrics.qEntries).toBe(metrics.qEntries);

    const reloaded = await Conductor.create({ config });
    expect((await reloaded.metrics()).latency.load.count).toBe(1);

    let stdout = "";
    const io = { stdout: (text: string) => (stdout += text), stderr: () => undefined };
    expect(await runCli(["inspect", dir, "--metrics"], io)).toBe(0);
    expect(stdout).toContain(`metrics of ${newest}`);
    expect(stdout).toMatch(/retrieve\s+\d+\s+[\d.]+\s+[\d.]+\s+[\d.]+/);
    expect(stdout).toMatch(/cache: [\d.]+% hits overall/);
    expect(stdout).toMatch(/disk: .* in 3 runs/);
    stdout = "";
    expect(await runCli(["inspect", dir, "--metrics", "--json"], io)).toBe(0);
    expect(JSON.parse(stdout).qEntries).toBe(metrics.qEntries);
  });
});

describe("Audit of single changes", () => {
  it("writes every memory and Q entry created, updated or removed with the save that persists it, by id only", async () => {
    const conductor = await Conductor.create({
      config: cliff({
        actors: [{ name: "walker" }],
        owner: { user: "ana" },
        training: { maxStepsPerEpisode: 12, saveEvery: 2 },
      }),
    });
    await conductor.train({ episodes: 4 });
    const removed = conductor.sharedMemory.list("episodic")[0]!.id;
    conductor.sharedMemory.delete(removed);
    await conductor.train({ episodes: 2 });
    const file = path.join(dir, "audit.jsonl");
    const records = (await fs.readFile(file, "utf8")).trim().split("\n").map((line) => JSON.parse(line));
    const actions = new Set(records.map((record) => record.action));
    for (const action of ["save", "create", "update", "delete"]) expect(actions).toContain(action);
    const created = records.filter((record) => record.action === "create").flatMap((record) => record.ids as string[]);
    expect(created.some((id) => id.startsWith("shared/"))).toBe(true);
    expect(created.some((id) => id.startsWith("walker/"))).toBe(true);
    expect(created.some((id) => /^q\/[0-9a-f]{16}$/.test(id))).toBe(true);
    expect(records.filter((record) => record.action === "delete").flatMap((record) => record.ids as string[])).toEqual([`shared/${removed}`]);
    expect(records.filter((record) => record.action === "create").every((record) => record.by === "ana")).toBe(true);
    const text = await fs.readFile(file, "utf8");
    expect(text).not.toContain("Goal \"");
    expect(text).not.toMatch(/row \d+, column \d+/i);
    expect(await AuditLog.verify(file)).toMatchObject({ ok: true });
  });

  it("audits nothing for a run that persists nothing", async () => {
    const conductor = await Conductor.create({ config: cliff({ learningMode: "contextual", actors: [{ name: "walker" }] }), actors: [new PolicyActor({ name: "walker" })] });
    await conductor.train({ episodes: 2 });
    expect(await fs.pathExists(path.join(dir, "audit.jsonl"))).toBe(false);
  });
});

describe("Audit when a save fails", () => {
  it("keeps the changes of a failed save for the next save's audit lines", async () => {
    const conductor = await Conductor.create({ config: cliff({ actors: [{ name: "walker" }], training: { maxStepsPerEpisode: 12, saveEvery: 100 } }) });
    await conductor.train({ episodes: 1 });
    const vault = (conductor as unknown as { vault: { save: (state: unknown) => Promise<string> } }).vault;
    const save = vault.save.bind(vault);
    await conductor.run();
    vault.save = async () => {
      throw new Error("disk full");
    };
    await expect(conductor.save()).rejects.toThrow("disk full");
    vault.save = save;
    await conductor.save();
    const records = (await fs.readFile(path.join(dir, "audit.jsonl"), "utf8")).trim().split("\n").map((line) => JSON.parse(line));
    const last = records.filter((record) => record.action === "update").at(-1);
    // The episode run before the failed save updated values; the next save reports them.
    expect(last?.details.count).toBeGreaterThan(0);
    expect(records.filter((record) => record.action === "save")).toHaveLength(2);
  });
});

describe("jotty prune with the run's own config", () => {
  it("keeps the run's codec and memory settings in the pruned run", async () => {
    const conductor = await Conductor.create({ config: cliff({ actors: [{ name: "walker" }], persistence: { compress: true } }) });
    await conductor.train({ episodes: 4 });
    let stdout = "";
    const io = { stdout: (text: string) => (stdout += text), stderr: (text: string) => (stdout += text) };
    expect(await runCli(["prune", dir, "--keep", "0"], io)).toBe(0);
    const run = path.basename(/saved to (\S+)/.exec(stdout)?.[1] as string);
    expect(stdout).toContain("saved to");
    const memories = path.join(dir, run, "jotty_state", "memories");
    const files = [...(await fs.readdir(memories)), ...(await fs.readdir(path.join(memories, "local_memories")))].filter((file) => file !== "local_memories");
    expect(files.length).toBeGreaterThan(0);
    // JSON is compressed as the run's codec says; binary vectors are stored as they are.
    expect(files.filter((file) => !file.endsWith(".json.gz") && !file.endsWith(".vectors.bin"))).toEqual([]);
    expect(files).toContain("shared_memory.vectors.bin");
    const reloaded = await Conductor.create({ config: cliff({ actors: [{ name: "walker" }], persistence: { compress: true } }) });
    expect(reloaded.loadedFrom).toBe(run);
    expect(reloaded.sharedMemory.size("episodic")).toBe(0);
    // The pruned run's vectors are the pruned memory's: they load without embedding.
    expect(reloaded.sharedMemory.vectorRestore.vectors).toBe("loaded");
    expect(conductor.sharedMemory.size("episodic")).toBeGreaterThan(0);
  });
});
