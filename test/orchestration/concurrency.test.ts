import os from "node:os";
import path from "node:path";
import fs from "fs-extra";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CliffWalking, Conductor, JottyError, RunnableActor, type Environment, type EpisodeResult, type JottyConfigInput, type ResetOptions, type Rng } from "../../src/index.js";

let dir: string;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "jotty-concurrency-"));
});

afterEach(async () => {
  await fs.remove(dir);
});

function config(overrides: JottyConfigInput = {}): JottyConfigInput {
  return {
    learningMode: "contextual",
    outputDir: dir,
    seed: 5,
    environment: { name: "cliff-walking", options: { columns: 5, maxSteps: 40 } },
    learning: { alpha: 0.5, gamma: 1, epsilon: { kind: "constant", value: 0.1 } },
    qPredictor: { similarity: false },
    conductor: { executionModes: { enabled: false } },
    training: { maxStepsPerEpisode: 40 },
    ...overrides,
  };
}

/** A walker whose path depends only on the episode: the same episodes whatever was learned. */
function scriptedWalker(): RunnableActor {
  return new RunnableActor({
    name: "walker",
    run: ({ episode, step, actions }) => {
      const path = episode % 2 === 0 ? ["move up", "move right", "move right", "move right", "move right", "move down"] : ["move right", "move up"];
      const wanted = path[step] ?? "move up";
      return { action: actions.includes(wanted) ? wanted : (actions[0] as string) };
    },
  });
}

/** A cliff whose steps take longer in odd episodes, so concurrent episodes finish out of order. */
class SlowCliff implements Environment {
  private readonly cliff = new CliffWalking({ columns: 5, maxSteps: 40 });
  readonly name = this.cliff.name;
  readonly description = this.cliff.description;
  private slow = false;
  reset(rng: Rng, options?: ResetOptions) {
    this.slow = rng.fork().next() < 0.5;
    return this.cliff.reset(rng, options);
  }
  async step(action: string) {
    await new Promise((resolve) => setTimeout(resolve, this.slow ? 15 : 1));
    return this.cliff.step(action);
  }
}

const actions = (results: EpisodeResult[]) => results.map((result) => ({ episode: result.episode, steps: result.trajectory.map((step) => [step.step, step.action, step.reward]) }));

describe("train({ concurrency })", () => {
  it("runs 8 episodes 4 at a time without leaks between them, learning what the same episodes learn one at a time", async () => {
    const alone = await Conductor.create({ config: config(), actors: [scriptedWalker()] });
    const together = await Conductor.create({ config: config(), actors: [scriptedWalker()], environment: () => new SlowCliff() });
    const one = await alone.train({ episodes: 8 });
    const four = await together.train({ episodes: 8, concurrency: 4 });

    // Each episode kept its own trajectory, environment and todo state.
    expect(actions(four)).toEqual(actions(one));
    expect(four.map((result) => result.episode)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(four.every((result) => result.errors.length === 0)).toBe(true);
    // And the learned values are those of learning them one after another.
    const entries = (conductor: Conductor) =>
      conductor.q
        .list()
        .map((entry) => ({ state: entry.state, action: entry.action, visits: entry.visits, value: entry.value }))
        .sort((a, b) => `${a.state}|${a.action}`.localeCompare(`${b.state}|${b.action}`));
    const sequential = entries(alone);
    const concurrent = entries(together);
    expect(concurrent.map(({ state, action, visits }) => ({ state, action, visits }))).toEqual(sequential.map(({ state, action, visits }) => ({ state, action, visits })));
    for (const [index, entry] of concurrent.entries()) expect(entry.value).toBeCloseTo((sequential[index] as { value: number }).value, 9);
    expect(together.stats().episodes).toBe(8);
    expect(together.stats().trajectories).toBe(alone.stats().trajectories);
    expect(together.sharedMemory.size("episodic")).toBe(alone.sharedMemory.size("episodic"));
    expect(together.learner.active).toBe(false);
    await alone.close();
    await together.close();
  });

  it("gives the same result whatever order concurrent episodes finish in, and a seed reproduces it", async () => {
    const run = async (environment: () => Environment) => {
      const conductor = await Conductor.create({ config: config({ conductor: {} }), environment });
      const results = await conductor.train({ episodes: 12, concurrency: 3 });
      const values = conductor.q.list().map((entry) => [entry.state, entry.action, entry.value]);
      await conductor.close();
      return { trajectories: actions(results), values };
    };
    const slow = await run(() => new SlowCliff());
    const fast = await run(() => new CliffWalking({ columns: 5, maxSteps: 40 }));
    expect(slow).toEqual(fast);
  });

  it("refuses a concurrency that is not a positive whole number, and one environment instance for several episodes", async () => {
    const shared = await Conductor.create({ config: config(), environment: new CliffWalking({ columns: 5 }) });
    await expect(shared.train({ episodes: 2, concurrency: 2 })).rejects.toThrow(/environment factory/);
    await expect(shared.train({ episodes: 2, concurrency: 0 })).rejects.toBeInstanceOf(JottyError);
    await expect(shared.train({ episodes: 2, concurrency: 1.5 })).rejects.toMatchObject({ code: "invalid_argument" });
    expect(shared.episodes).toBe(0);
    await shared.close();
  });
});
