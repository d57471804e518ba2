// An episode killed (SIGKILL) mid-way goes on from its last checkpoint in the next process,
// with the environment's episode, the generator, the todo state and what its first part
// learned put back: the run ends exactly as one that was never interrupted.
import { spawn } from "node:child_process";
import os from "node:os";
import path from "node:path";
import fs from "fs-extra";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { Conductor, VaultCheckpointer } from "../../src/index.js";

const TRAINER = path.resolve("test/support/resume-trainer.ts");
let dir: string;

interface Line {
  episode?: number;
  resumedAt?: number | null;
  actions?: Array<string | null>;
  reward?: number;
  warning?: string;
  q?: Array<{ key: string; value: number; visits: number }>;
  episodes?: number;
}

/** Runs the trainer; its exit signal and the JSON lines it printed. */
function train(folder: string, episodes: number, killAt: string, kind: "snapshot" | "opaque", concurrency = 1, runner: "train" | "train-run" = "train"): Promise<{ signal: NodeJS.Signals | null; lines: Line[] }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", TRAINER, folder, String(episodes), killAt, kind, String(concurrency), runner], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.on("close", (_code, signal) => resolve({ signal, lines: out.split("\n").filter((line) => line.startsWith("{")).map((line) => JSON.parse(line) as Line) }));
  });
}

const episodesOf = (lines: Line[]) => lines.filter((line) => line.episode !== undefined).map(({ episode, actions, reward }) => ({ episode, actions, reward }));
/** Each episode's number and the step it went on from (null for one that was not resumed). */
const resumedAt = (lines: Line[]) => lines.filter((line) => line.episode !== undefined).map((line) => [line.episode, line.resumedAt]);
const learned = (lines: Line[]) => lines.find((line) => line.q !== undefined) as Line;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "jotty-resume-"));
});

afterAll(async () => {
  await fs.remove(dir);
});

describe("resuming an episode after a crash", () => {
  it("goes on from the last checkpoint and ends as if never interrupted; its checkpoints are pruned", async () => {
    const whole = await train(path.join(dir, "whole"), 4, "none", "snapshot");
    const folder = path.join(dir, "killed");
    const killed = await train(folder, 4, "2:3", "snapshot");
    expect(killed.signal).toBe("SIGKILL");
    expect(episodesOf(killed.lines).map((line) => line.episode)).toEqual([0, 1]);
    // The dead process left the checkpoints of episode 2.
    const [left] = await fs.readdir(path.join(folder, "checkpoints"));
    expect(await fs.readdir(path.join(folder, "checkpoints", left as string))).toContain("jotty-episode-2.jsonl");

    const after = await train(folder, 2, "none", "snapshot");
    expect(after.signal).toBeNull();
    expect(after.lines.find((line) => line.warning !== undefined)?.warning).toBe("episode 2 went on from step 3, where a process that stopped left it");
    expect(resumedAt(after.lines)).toEqual([
      [2, 3],
      [3, null],
    ]);
    // Episode 2 took the same steps it would have, and so did the one after it.
    expect(episodesOf(after.lines)).toEqual(episodesOf(whole.lines).slice(2));
    // What was learned matches the run that was never interrupted: the same pairs, visits and values.
    const [expected, actual] = [learned(whole.lines), learned(after.lines)];
    expect(actual.episodes).toBe(4);
    expect(actual.q?.map(({ key, visits }) => [key, visits])).toEqual(expected.q?.map(({ key, visits }) => [key, visits]));
    for (const [index, entry] of (actual.q ?? []).entries()) expect(entry.value).toBeCloseTo(expected.q?.[index]?.value as number, 9);
    expect(await fs.readdir(path.join(folder, "checkpoints")).catch(() => [])).toEqual([]);
  }, 120_000);

  it("starts the episode again, and says so, when the environment cannot capture its episode", async () => {
    const folder = path.join(dir, "opaque");
    expect((await train(folder, 4, "2:3", "opaque")).signal).toBe("SIGKILL");
    const after = await train(folder, 2, "none", "opaque");
    expect(after.lines.find((line) => line.warning !== undefined)?.warning).toBe(
      "episode 2 restarts as a new episode: the cliff-walking environment cannot capture its episode (it has no snapshotEpisode)",
    );
    expect(resumedAt(after.lines)).toEqual([
      [2, null],
      [3, null],
    ]);
    expect(learned(after.lines).episodes).toBe(4);
    expect(await fs.readdir(path.join(folder, "checkpoints")).catch(() => [])).toEqual([]);
  }, 120_000);

  it("goes on with every episode of a concurrent wave the crash interrupted, one after another", async () => {
    const folder = path.join(dir, "wave");
    // Two cliffs, each counting its own episodes: the first dies in its second episode (episode 2).
    const killed = await train(folder, 6, "1:3", "snapshot", 2);
    expect(killed.signal).toBe("SIGKILL");
    const after = await train(folder, 3, "none", "snapshot", 2);
    expect(resumedAt(after.lines).map(([episode, step]) => [episode, step !== null])).toEqual([
      [2, true],
      [3, true],
      [4, false],
    ]);
    expect(learned(after.lines).episodes).toBe(5);
    expect(await fs.readdir(path.join(folder, "checkpoints")).catch(() => [])).toEqual([]);
  }, 120_000);

  it("goes on in trainRun too (what `jotty train` runs), counted among the run's episodes", async () => {
    const folder = path.join(dir, "train-run");
    expect((await train(folder, 4, "2:3", "snapshot", 1, "train-run")).signal).toBe("SIGKILL");
    const after = await train(folder, 2, "none", "snapshot", 1, "train-run");
    expect(after.lines.find((line) => line.warning !== undefined)?.warning).toBe("episode 2 went on from step 3, where a process that stopped left it");
    expect(resumedAt(after.lines)).toEqual([
      [2, 3],
      [3, null],
    ]);
    expect(learned(after.lines).episodes).toBe(4);
    expect(await fs.readdir(path.join(folder, "checkpoints")).catch(() => [])).toEqual([]);
  }, 120_000);

  it("drops an interrupted episode, and says so, when a new episode starts on its thread before it is resumed", async () => {
    const folder = path.join(dir, "run-first");
    expect((await train(folder, 4, "2:3", "snapshot")).signal).toBe("SIGKILL");
    const warnings: string[] = [];
    const conductor = await Conductor.create({
      config: {
        learningMode: "persistent",
        outputDir: folder,
        seed: 11,
        environment: { name: "cliff-walking", options: { columns: 5, maxSteps: 30 } },
        training: { maxStepsPerEpisode: 30, saveEvery: 1 },
      },
      onWarning: (warning) => warnings.push(warning),
    });
    // The saved state has two episodes, so run() starts episode 2 on the interrupted one's thread.
    const result = await conductor.run();
    expect(warnings).toContain("dropped the interrupted episode 2: a new episode started on its thread before it was resumed (train and resume() go on with it first)");
    // A fresh episode: its own steps from 0, nothing carried over from the dropped one.
    expect(result.trajectory.map((step) => step.step)).toEqual(result.trajectory.map((_, index) => index));
    expect(result.resumedAt).toBeUndefined();
    expect(await conductor.resume()).toEqual([]);
    await conductor.close();
  }, 120_000);

  it("checkpoints training episodes and not evaluation ones, which nothing resumes", async () => {
    const conductor = await Conductor.create({
      config: { learningMode: "persistent", outputDir: path.join(dir, "evaluation"), seed: 3, environment: { name: "cliff-walking", options: { columns: 5, maxSteps: 10 } }, training: { maxStepsPerEpisode: 10 } },
    });
    const put = vi.spyOn(VaultCheckpointer.prototype, "put");
    try {
      await conductor.evaluate({ tasks: [{}, {}] });
      expect(put).not.toHaveBeenCalled();
      await conductor.run();
      expect(put).toHaveBeenCalled();
    } finally {
      put.mockRestore();
      await conductor.close();
    }
  }, 60_000);
});
