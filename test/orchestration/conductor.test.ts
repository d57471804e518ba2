import os from "node:os";
import path from "node:path";
import fs from "fs-extra";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  Conductor,
  LLMActor,
  parseConfig,
  PolicyActor,
  RunnableActor,
  TextEnvironment,
  Vault,
  type EnvironmentReset,
  type EnvironmentStep,
  type JottyConfigInput,
} from "../../src/index.js";
import { CliffNavigatorModel, FailingChatModel } from "../support/scripted-chat-model.js";

let dir: string;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "jotty-conductor-"));
});

afterEach(async () => {
  await fs.remove(dir);
});

const mean = (values: number[]): number => values.reduce((sum, value) => sum + value, 0) / values.length;

function cliffConfig(overrides: JottyConfigInput = {}): JottyConfigInput {
  return {
    learningMode: "contextual",
    outputDir: dir,
    seed: 1,
    environment: { name: "cliff-walking", options: { columns: 6, maxSteps: 100 } },
    learning: { alpha: 0.5, gamma: 1, epsilon: { kind: "constant", value: 0.1 } },
    qPredictor: { similarity: false },
    training: { maxStepsPerEpisode: 100 },
    ...overrides,
  };
}

describe("Conductor with policy actors", () => {
  it("improves on cliff walking: later episodes' returns are clearly above the first ones'", async () => {
    const conductor = await Conductor.create({ config: cliffConfig() });
    const results = await conductor.train({ episodes: 60 });
    const first = mean(results.slice(0, 10).map((result) => result.reward));
    const last = mean(results.slice(-10).map((result) => result.reward));
    expect(last).toBeGreaterThan(first + 50);
    expect(last).toBeGreaterThan(-20);
    expect(results.slice(-10).filter((result) => result.success).length).toBeGreaterThanOrEqual(8);
    const stats = conductor.stats();
    expect(stats.episodes).toBe(60);
    expect(stats.qEntries).toBeGreaterThan(10);
    expect(stats.memories.shared.episodic).toBeGreaterThan(0);
    expect(stats.traces).toBeGreaterThan(0);
  });

  it("learns the bandit: the last pulls are mostly of the best arm, far above a random policy", async () => {
    const conductor = await Conductor.create({
      config: {
        learningMode: "contextual",
        seed: 2,
        // "pull arm 5" shares the "5" of "a 5-armed bandit", so the text prior leans to arm 5: here a poor one.
        environment: { name: "bandit", options: { arms: 5, means: [0.5, 1, 2, 0, 0], stdDev: 0.5 } },
        learning: { alpha: 0.2, gamma: 0, epsilon: { kind: "constant", value: 0.1 } },
      },
    });
    const results = await conductor.train({ episodes: 200 });
    const last = results.slice(-50);
    // ε = 0.1 leaves about one pull in ten random; a random policy earns 0.7 on average.
    expect(last.filter((result) => result.trajectory[0]?.action === "pull arm 3").length).toBeGreaterThanOrEqual(40);
    expect(mean(last.map((result) => result.reward))).toBeGreaterThan(1.6);
  });

  it("runs two actors in dependency order and keeps their local memories apart", async () => {
    const order: string[] = [];
    const planner = new RunnableActor({ name: "planner", run: async (context) => (order.push("planner"), context.actions[0] as string) });
    const executor = new RunnableActor({ name: "executor", dependsOn: ["planner"], run: async (context) => (order.push("executor"), context.actions[3] as string) });
    // The executor is listed first but must wait for the planner in every round.
    const conductor = await Conductor.create({ config: cliffConfig({ environment: { name: "cliff-walking", options: { maxSteps: 6 } } }), actors: [executor, planner] });
    const result = await conductor.run();
    expect(order).toEqual(["planner", "executor", "planner", "executor", "planner", "executor"]);
    expect(result.actorsUsed).toEqual(["planner", "executor"]);
    expect(result.trajectory.map((step) => step.action)).toEqual(["move up", "move right", "move up", "move right", "move up", "move right"]);
    const plannerMemory = conductor.localMemories.get("planner")?.list("episodic") ?? [];
    const executorMemory = conductor.localMemories.get("executor")?.list("episodic") ?? [];
    expect(plannerMemory).toHaveLength(1);
    expect(executorMemory).toHaveLength(1);
    expect(plannerMemory[0]?.content).toContain("I chose move up, move up, move up");
    expect(executorMemory[0]?.content).toContain("I chose move right, move right, move right");
    expect(Object.keys(result.credit).sort()).toEqual(["executor", "planner"]);
  });

  it("fails a step whose actor throws, with a negative reward, and goes on or stops as configured", async () => {
    let calls = 0;
    const flaky = new RunnableActor({
      name: "flaky",
      run: async (context) => {
        calls += 1;
        if (calls === 2) throw new Error("tool crashed");
        return context.actions[0] as string;
      },
    });
    const goesOn = await Conductor.create({ config: cliffConfig({ environment: { name: "cliff-walking", options: { maxSteps: 5 } } }), actors: [flaky] });
    const result = await goesOn.run();
    // Five environment steps, plus the failed one that did not reach the environment.
    expect(result.steps).toBe(6);
    expect(result.trajectory[1]).toMatchObject({ action: null, reward: -1, source: "failed" });
    expect(result.errors.some((error) => error.includes("flaky failed: tool crashed"))).toBe(true);
    calls = 0;
    const stops = await Conductor.create({
      config: cliffConfig({ environment: { name: "cliff-walking", options: { maxSteps: 5 } }, conductor: { onActorError: "stop" } }),
      actors: [flaky],
    });
    expect((await stops.run()).steps).toBe(2);
  });

  it("records learning errors instead of swallowing them, and keeps the learned state consistent", async () => {
    class BrokenReward extends TextEnvironment {
      readonly name = "broken-reward";
      readonly description = "Press the button twice.";
      private presses = 0;
      protected begin(): EnvironmentReset {
        this.presses = 0;
        return { observation: "A button.", actions: ["press"], info: {} };
      }
      protected transition(): EnvironmentStep {
        this.presses += 1;
        const done = this.presses === 2;
        return { observation: `Pressed ${this.presses} times.`, reward: this.presses === 1 ? Number.NaN : 1, done, actions: done ? [] : ["press"], info: done ? { success: true } : {} };
      }
    }
    const logged: string[] = [];
    const conductor = await Conductor.create({ config: cliffConfig(), environment: new BrokenReward(), onError: (error) => logged.push(error) });
    const result = await conductor.run();
    expect(logged).toEqual(result.errors);
    expect(result.errors.some((error) => error.includes("learning failed") && error.includes("rewards must be finite"))).toBe(true);
    expect(conductor.q.entry("A button.", "press")).toBeUndefined();
    expect(conductor.q.entry("Pressed 1 times.", "press")?.value).toBe(0.5);
  });

  it("streams an event as each node finishes", async () => {
    const conductor = await Conductor.create({ config: cliffConfig({ environment: { name: "cliff-walking", options: { maxSteps: 2 } } }) });
    const nodes: string[] = [];
    const stream = conductor.stream();
    for (let next = await stream.next(); !next.done; next = await stream.next()) nodes.push(next.value.node);
    expect(nodes).toEqual(["recall", "plan", "act", "observe", "learn", "plan", "act", "observe", "learn", "finish"]);
    expect(conductor.episodes).toBe(1);
  });
});

describe("Conductor pruning on a schedule", () => {
  it("prunes every N learning episodes by the configured policies, and audits it when it persists", async () => {
    const config = (pruning: boolean) =>
      cliffConfig({
        learningMode: pruning ? "persistent" : "contextual",
        environment: { name: "cliff-walking", options: { columns: 6, maxSteps: 20 } },
        ...(pruning ? { memory: { pruning: { every: 3, policies: [{ kind: "budget" as const, keep: 0, level: "episodic" as const }] } } } : {}),
      });
    const unpruned = await Conductor.create({ config: config(false) });
    await unpruned.train({ episodes: 6 });
    expect(unpruned.stats().memories.shared.episodic).toBeGreaterThan(0);
    const conductor = await Conductor.create({ config: config(true) });
    await conductor.train({ episodes: 6 });
    // Pruned after episodes 3 and 6: the episodic memory the 6th stored is gone again.
    expect(conductor.stats().memories.shared.episodic).toBe(0);
    expect(conductor.stats().memories.shared.semantic).toBe(unpruned.stats().memories.shared.semantic);
    await conductor.close();
    const audit = await fs.readFile(path.join(dir, "audit.jsonl"), "utf8");
    expect(audit).toMatch(/"action":"prune"/);
    expect(() => parseConfig({ memory: { pruning: { every: 5 } } })).toThrow(/pruning.every needs at least one policy/);
  });
});

describe("Conductor with LLM actors", () => {
  const navigatorConfig = (overrides: JottyConfigInput = {}): JottyConfigInput =>
    cliffConfig({
      environment: { name: "cliff-walking", options: { columns: 6, maxSteps: 30 } },
      conductor: { executionModes: { exploration: 0 } },
      ...overrides,
    });

  it("replays a repeated task in FOLLOWER mode with zero model calls", async () => {
    const model = new CliffNavigatorModel();
    const conductor = await Conductor.create({ config: navigatorConfig(), actors: [new LLMActor({ name: "navigator", model })] });
    const first = await conductor.run();
    expect(first).toMatchObject({ success: true, mode: "learner", steps: 7, llmCalls: 7 });
    const second = await conductor.run();
    expect(second).toMatchObject({ success: true, mode: "follower", steps: 7, llmCalls: 0, tokens: 0 });
    expect(model.prompts).toHaveLength(7);
    expect(conductor.stats().modes.follower).toMatchObject({ episodes: 1, successes: 1, llmCalls: 0 });
  });

  it("shows what was learned in the model's prompt after learning", async () => {
    const model = new CliffNavigatorModel();
    const conductor = await Conductor.create({ config: navigatorConfig(), actors: [new LLMActor({ name: "navigator", model })] });
    await conductor.run();
    expect(model.prompts[0]).not.toContain("What the team has learned");
    await conductor.run({ goal: "bring the walker safely to the far corner" });
    const later = model.prompts.slice(7);
    expect(later.length).toBeGreaterThan(0);
    expect(later[0]).toContain("What the team has learned");
    expect(later[0]).toMatch(/Examples:\n- Goal ".*" succeeded in 7 steps/);
    expect(later[0]).toContain("Your own experience");
  });

  it("falls back to the value policy when the model throws, without losing the episode", async () => {
    const model = new FailingChatModel();
    const conductor = await Conductor.create({
      config: navigatorConfig({ environment: { name: "cliff-walking", options: { columns: 6, maxSteps: 4 } } }),
      actors: [new LLMActor({ name: "navigator", model, maxRetries: 1 })],
    });
    const result = await conductor.run();
    expect(result.steps).toBe(4);
    expect(result.trajectory.every((step) => step.source === "fallback" && step.action !== null)).toBe(true);
    expect(result.errors[0]).toMatch(/navigator fell back to the value policy: .*model server unavailable/);
    expect(conductor.q.size).toBeGreaterThan(0);
  });
});

describe("Conductor with the learning loops", () => {
  it("records each episode as a trajectory, curates the team's playbook and shows its strategies to actors", async () => {
    const model = new CliffNavigatorModel();
    const conductor = await Conductor.create({
      config: cliffConfig({ environment: { name: "cliff-walking", options: { columns: 6, maxSteps: 30 } }, conductor: { executionModes: { enabled: false } } }),
      actors: [new LLMActor({ name: "navigator", model })],
    });
    await conductor.run();
    const stats = conductor.stats();
    expect(stats.trajectories).toBe(1);
    expect(stats.strategies).toBeGreaterThan(0);
    const [trajectory] = conductor.experience?.queryTrajectories() ?? [];
    expect(trajectory).toMatchObject({ status: "success", playbook: conductor.playbook });
    expect(conductor.experience?.steps(trajectory?.id as string)[0]?.description).toBe("navigator: move up");
    await conductor.run();
    expect(model.prompts.at(-1)).toMatch(/Strategy: navigator: move (up|right|down) \(helped 1, harmed 0\)/);
    expect(conductor.experience?.traceCount).toBe(1); // the same path twice is one stored trace
  });

  it("persists the learning loops with the rest of the state", async () => {
    const first = await Conductor.create({ config: cliffConfig({ learningMode: "persistent" }) });
    await first.train({ episodes: 3 });
    const second = await Conductor.create({ config: cliffConfig({ learningMode: "persistent" }) });
    expect(second.stats()).toMatchObject({ trajectories: 3, strategies: first.stats().strategies });
    expect(second.experience?.snapshot()).toEqual(first.experience?.snapshot());
  });
});

describe("Conductor learning modes", () => {
  it("PERSISTENT starts from what the previous run learned; CONTEXTUAL and DISABLED do not", async () => {
    const first = await Conductor.create({ config: cliffConfig({ learningMode: "persistent" }) });
    expect(first.loadedFrom).toBeNull();
    await first.train({ episodes: 8 });
    await first.close();
    const learned = first.stats();
    const runs = await (await Vault.open({ dir })).runs();
    expect(runs).toHaveLength(1);

    const second = await Conductor.create({ config: cliffConfig({ learningMode: "persistent" }) });
    expect(second.loadedFrom).toBe(runs[0]?.name);
    expect(second.stats()).toMatchObject({ episodes: 8, qEntries: learned.qEntries, traces: learned.traces });
    expect(second.stats().memories).toEqual(learned.memories);
    expect(second.q.snapshot().entries).toEqual(first.q.snapshot().entries);

    const contextual = await Conductor.create({ config: cliffConfig({ learningMode: "contextual" }) });
    expect(contextual.loadedFrom).toBeNull();
    expect(contextual.stats()).toMatchObject({ episodes: 0, qEntries: 0, traces: 0 });
    const disabled = await Conductor.create({ config: cliffConfig({ learningMode: "disabled" }) });
    expect(disabled.stats()).toMatchObject({ episodes: 0, qEntries: 0 });
  });

  it("DISABLED loads only the named state, changes no value and saves nothing", async () => {
    const trainer = await Conductor.create({ config: cliffConfig({ learningMode: "persistent" }) });
    await trainer.train({ episodes: 10 });
    const [run] = await (await Vault.open({ dir })).runs();
    const frozen = await Conductor.create({ config: cliffConfig({ learningMode: "disabled", persistence: { loadRun: run?.name } }) });
    expect(frozen.loadedFrom).toBe(run?.name);
    const before = frozen.snapshot();
    const results = await frozen.train({ episodes: 5 });
    expect(results.every((result) => result.errors.length === 0)).toBe(true);
    await frozen.close();
    const after = frozen.snapshot();
    for (const part of ["sharedMemory", "localMemories", "qPredictor", "brainState", "experience"] as const) {
      expect(after[part]).toEqual(before[part]);
    }
    expect(before.experience).toBeDefined();
    expect(await (await Vault.open({ dir })).runs()).toHaveLength(1);
  });

  it("saves every N episodes and at the end of train in PERSISTENT mode", async () => {
    const conductor = await Conductor.create({ config: cliffConfig({ learningMode: "persistent", training: { maxStepsPerEpisode: 100, saveEvery: 3 } }) });
    await conductor.train({ episodes: 7 });
    expect(await (await Vault.open({ dir })).runs()).toHaveLength(3); // after 3, 6 and 7
  });

  it("builds policy and LLM actors from the config, and asks for a model when an LLM actor has none", async () => {
    const config = cliffConfig({ actors: [{ name: "scout", kind: "policy" }, { name: "pilot", kind: "llm", dependsOn: ["scout"] }] });
    await expect(Conductor.create({ config })).rejects.toMatchObject({ code: "config_invalid", message: expect.stringContaining('"pilot" is an LLM actor') });
    const conductor = await Conductor.create({ config, llm: new CliffNavigatorModel() });
    expect(conductor.actors.get("scout")).toBeInstanceOf(PolicyActor);
    expect(conductor.actors.get("pilot")).toBeInstanceOf(LLMActor);
    expect(conductor.todos.actorOrder).toEqual(["scout", "pilot"]);
  });
});
