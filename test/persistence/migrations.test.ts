import os from "node:os";
import path from "node:path";
import fs from "fs-extra";
import { describe, expect, it } from "vitest";
import { EXPERIENCE_MIGRATIONS, migrateExperienceSnapshot, type ExperienceSnapshot } from "../../src/experience/index.js";
import { Conductor, Experience, HierarchicalMemory, ManualClock, migrateState, parseMemorySnapshot, QPredictor, Rng, STATE_SCHEMA_VERSION, Vault, type Migration } from "../../src/index.js";

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object") for (const inner of Object.values(value)) deepFreeze(inner);
  return Object.freeze(value);
}

const occurrences = (text: string, what: string): number => text.split(what).length - 1;

describe("migrateState", () => {
  const chain: Migration[] = [
    { from: 1, migrate: (state) => ({ ...state, qTable: undefined, qPredictor: state.qTable }) },
    { from: 2, migrate: (state) => ({ ...state, renamed: true }) },
  ];

  it("applies pure migrations in order and never touches its input", () => {
    const old = Object.freeze({ schemaVersion: 1, qTable: { entries: [1] } });
    const migrated = migrateState(old, { migrations: chain, target: 3 });
    expect(migrated).toEqual({ schemaVersion: 3, qTable: undefined, qPredictor: { entries: [1] }, renamed: true });
    expect(old).toEqual({ schemaVersion: 1, qTable: { entries: [1] } });
  });

  it("refuses a state newer than the code, or a gap in the chain", () => {
    expect(() => migrateState({ schemaVersion: STATE_SCHEMA_VERSION + 1 })).toThrow(
      expect.objectContaining({ code: "snapshot_version_unsupported", message: expect.stringContaining("newer than this Jotty reads") }),
    );
    expect(() => migrateState({ schemaVersion: 1 }, { migrations: [chain[1] as Migration], target: 3 })).toThrow(/No migration leads from state schema version 1/);
    expect(() => migrateState({})).toThrow(/no valid schemaVersion/);
  });
});

describe("stored formats stay readable", () => {
  it("loads the version 1 fixture, and its components restore", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "jotty-fixture-"));
    try {
      await fs.copy(path.resolve("test/fixtures/vault/v1"), dir);
      const vault = await Vault.open({ dir });
      const loaded = await vault.loadLatest();
      expect(loaded?.run).toBe("run_20261121_000000");
      expect(loaded?.warnings).toEqual([]);
      const memory = await HierarchicalMemory.restore(loaded?.state.sharedMemory);
      expect(memory.list()[0]?.content).toBe("Filter dates on dt, never on ts");
      const q = await QPredictor.restore(loaded?.state.qPredictor);
      expect(q.entry("count refunds today", "filter category_code = 'REFUND'")?.value).toBe(0.5);
      expect(loaded?.state.brainState).toEqual({ memory_learner: { schemaVersion: 1, baselines: { revenue: 0.6 } } });
    } finally {
      await fs.remove(dir);
    }
  });

  it("starts a Conductor from the fixture's memory rows and saves them again as columns", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "jotty-fixture-"));
    try {
      await fs.copy(path.resolve("test/fixtures/vault/v1"), dir);
      const before = parseMemorySnapshot((await (await Vault.open({ dir })).loadLatest())?.state.sharedMemory);
      const conductor = await Conductor.create({ config: { learningMode: "persistent", outputDir: dir, seed: 1 } });
      expect(conductor.loadedFrom).toBe("run_20261121_000000");
      expect(conductor.sharedMemory.list().map((entry) => entry.content)).toEqual(before.entries.map((entry) => entry.content));
      await conductor.save();
      await conductor.close();
      const saved = (await (await Vault.open({ dir })).loadLatest())?.state.sharedMemory as { schemaVersion: number };
      expect(saved.schemaVersion).toBe(2);
      expect(parseMemorySnapshot(saved).entries.map(({ id, content, values }) => ({ id, content, values }))).toEqual(before.entries.map(({ id, content, values }) => ({ id, content, values })));
    } finally {
      await fs.remove(dir);
    }
  });

  it("loads a version 1 Q-predictor snapshot and ignores the settings it stored (α 0.5, ε-greedy)", async () => {
    const file = path.resolve("test/fixtures/vault/v1/run_20261121_000000/jotty_state/q_tables/q_predictor_buffer.json");
    const old = (await fs.readJson(file)) as { schemaVersion: number; options: { alpha: number }; settings: { policy: { kind: string } } };
    expect([old.schemaVersion, old.options.alpha, old.settings.policy.kind]).toEqual([1, 0.5, "epsilon-greedy"]);
    const q = await QPredictor.restore(old, { alpha: 0.1, gamma: 0.9, settings: { policy: { kind: "ucb1" } } });
    const [state, action] = ["count refunds today", "filter category_code = 'REFUND'"];
    expect(q.entry(state, action)?.value).toBe(0.5);
    expect(q.episode).toBe(1);
    expect((await q.selectAction({ state, actions: [action, "filter type = 'refund'"], rng: new Rng(1) })).action).toBe("filter type = 'refund'");
    expect((await q.update({ state, action, reward: 1, nextState: null, done: true })).q).toBeCloseTo(0.55, 12);
    const rewritten = q.snapshot();
    expect(rewritten.schemaVersion).toBe(2);
    expect(rewritten).not.toHaveProperty("options");
    expect(rewritten).not.toHaveProperty("settings");
  });

  it("migrates the version 2 Experience fixture: a completed trajectory keeps its step times, its steps are in the trace table once", async () => {
    const old = (await fs.readJson(path.resolve("test/fixtures/experience/snapshot-v2.json"))) as { schemaVersion: number; trajectories: Array<Record<string, unknown> & { id: string; steps: Array<{ at: number }> }> };
    const frozen = deepFreeze(structuredClone(old));
    const migrated = migrateExperienceSnapshot(frozen) as ExperienceSnapshot;
    expect(frozen).toEqual(old);
    expect(EXPERIENCE_MIGRATIONS.map((migration) => migration.from)).toEqual([1, 2]);
    expect(migrated.schemaVersion).toBe(3);
    const byId = new Map(migrated.trajectories.map((trajectory) => [trajectory.id, trajectory]));
    for (const stored of old.trajectories.filter((trajectory) => trajectory.status !== "running")) {
      const { steps, ...rest } = stored;
      expect(byId.get(stored.id)).toEqual({ ...rest, stepTimes: steps.map((step) => step.at) });
    }
    expect(byId.get("t-000004")).toEqual(old.trajectories[3]);
    expect(migrated.traces).toEqual((old as unknown as ExperienceSnapshot).traces);
    // t-000001 and t-000002 had the same trace: their two copies of its steps are gone.
    expect(old.trajectories[0]?.traceHash).toBe(old.trajectories[1]?.traceHash);
    expect(occurrences(JSON.stringify(migrated), "ok, 120 rows")).toBe(occurrences(JSON.stringify(old), "ok, 120 rows") - 2);

    const clock = new ManualClock(1_700_000_005_000);
    const experience = Experience.restore(frozen, { clock });
    for (const stored of old.trajectories) {
      expect(experience.steps(stored.id)).toEqual(stored.steps);
      expect(experience.trajectory(stored.id)).toEqual(stored);
    }
    expect(experience.snapshot()).toEqual(migrated);
    expect(experience.reflection("t-000001")?.id).toBe("r-000006");
    expect(experience.playbooks.get("agent:analyst").strategies.length).toBeGreaterThan(0);
    experience.logStep("t-000004", { type: "action", description: "count", result: "3 refunds" });
    expect(experience.completeTrajectory("t-000004", { status: "success" }).steps.map((step) => step.result)).toEqual(["ok", "3 refunds"]);
    expect(experience.recordErrorSolution({ errorType: "E", message: "m", approach: "a" })).toBe("e-000011");
  });
});
