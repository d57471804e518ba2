import os from "node:os";
import path from "node:path";
import fs from "fs-extra";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Conductor, type JottyConfigInput } from "../../src/index.js";

let dir: string;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "jotty-finish-"));
});

afterEach(async () => {
  await fs.remove(dir);
});

function banditConfig(): JottyConfigInput {
  return {
    learningMode: "contextual",
    outputDir: dir,
    seed: 3,
    environment: { name: "bandit" },
    conductor: { consolidateEvery: 1 },
  };
}

describe("the end of an episode, step by step", () => {
  it("runs every other step when one fails, reports the failure and completes the trajectory", async () => {
    const conductor = await Conductor.create({ config: banditConfig() });
    conductor.traces.recordOutcome = () => {
      throw new Error("the trace store is full");
    };
    const episodesBefore = conductor.q.episode;
    const memoriesBefore = conductor.sharedMemory.size("episodic");
    const result = await conductor.run();

    expect(result.errors).toContain("finish: traces failed: the trace store is full");
    // The steps before and after the failing one still ran.
    expect(conductor.sharedMemory.size("episodic")).toBe(memoriesBefore + 1);
    expect(conductor.learner.active).toBe(false);
    expect(conductor.q.episode).toBe(episodesBefore + 1);
    expect(conductor.evidence.stats().episodes).toBe(1);
    const trajectories = conductor.experience?.queryTrajectories() ?? [];
    expect(trajectories).toHaveLength(1);
    expect(trajectories[0]?.status).not.toBe("running");
    await conductor.close();
  });

  it("does not credit memories from an episode whose decisions could not be attributed, and says so", async () => {
    const conductor = await Conductor.create({ config: banditConfig() });
    conductor.evidence.record = () => {
      throw new Error("the evidence is locked");
    };
    const result = await conductor.run();
    expect(result.errors).toContain("finish: evidence failed: the evidence is locked");
    expect(result.errors.some((error) => error.startsWith("credit: the memories used were not credited"))).toBe(true);
    // The learner's episode was abandoned, not left open for the next one to credit.
    expect(conductor.learner.active).toBe(false);
    expect(conductor.sharedMemory.size("episodic")).toBe(1);
    expect(conductor.experience?.queryTrajectories()[0]?.status).not.toBe("running");
    await conductor.close();
  });

  it("evaluates as an invocation of its own: nothing is learned and training's random stream is untouched", async () => {
    const config: JottyConfigInput = { ...banditConfig(), environment: { name: "cliff-walking", options: { columns: 5, maxSteps: 30 } }, training: { maxStepsPerEpisode: 30 } };
    const trained = await Conductor.create({ config });
    const twin = await Conductor.create({ config });
    await trained.train({ episodes: 5 });
    await twin.train({ episodes: 5 });
    const entries = trained.q.size;
    const memories = trained.sharedMemory.size();
    const evaluation = await trained.evaluate({ tasks: [{}, {}, {}] });
    expect(evaluation.results).toHaveLength(3);
    expect(trained.q.size).toBe(entries);
    expect(trained.sharedMemory.size()).toBe(memories);
    expect(trained.episodes).toBe(5);
    // The next training episodes choose as the twin's, which never evaluated.
    const after = await trained.train({ episodes: 5 });
    const twinAfter = await twin.train({ episodes: 5 });
    expect(after.map((result) => result.trajectory.map((step) => step.action))).toEqual(twinAfter.map((result) => result.trajectory.map((step) => step.action)));
    await trained.close();
    await twin.close();
  });

  it("hands the episode graph the shared memory as its LangGraph store", async () => {
    const conductor = await Conductor.create({ config: banditConfig() });
    // The compiled graph holds the store, so every node has it as `config.store`.
    expect((conductor as unknown as { runner: { graph: { store?: unknown } } }).runner.graph.store).toBe(conductor.store);
    await conductor.run();
    const hits = await conductor.store.search(["episodic"], { query: conductor.environment.description, limit: 5 });
    expect(hits.map((hit) => hit.value.content)).toContain(conductor.sharedMemory.list("episodic")[0]?.content);
    await conductor.close();
  });
});
