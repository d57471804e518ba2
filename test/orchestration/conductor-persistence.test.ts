// The Conductor's side of keeping learned state (issue 13): saving, loading, one writer a folder.
import { promises as fsp } from "node:fs";
import os from "node:os";
import path from "node:path";
import fs from "fs-extra";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Conductor, RunnableActor, Vault, type JottyConfigInput } from "../../src/index.js";
import { processStartTicks } from "../../src/persistence/process-identity.js";

let dir: string;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "jotty-conductor-state-"));
});

afterEach(async () => {
  await fs.remove(dir);
});

function cliff(overrides: JottyConfigInput = {}): JottyConfigInput {
  return {
    learningMode: "persistent",
    outputDir: dir,
    seed: 1,
    environment: { name: "cliff-walking", options: { columns: 5, maxSteps: 30 } },
    learning: { alpha: 0.5, gamma: 1, epsilon: { kind: "constant", value: 0.2 } },
    qPredictor: { similarity: false },
    training: { maxStepsPerEpisode: 30, saveEvery: 1 },
    ...overrides,
  };
}

/** A writer lease as a live process other than this one would hold it. */
async function foreignLease(): Promise<void> {
  const owner = { pid: process.ppid, hostname: os.hostname(), startTicks: processStartTicks(process.ppid), acquiredAt: new Date().toISOString(), token: "other", purpose: "learning into this folder" };
  await fsp.writeFile(path.join(dir, ".jotty.writer"), JSON.stringify(owner));
}

describe("Conductor persistence", () => {
  it("trains through retention with keepRuns 2 and a save every episode (3)", async () => {
    const conductor = await Conductor.create({ config: cliff({ persistence: { keepRuns: 2 } }) });
    const results = await conductor.train({ episodes: 8 });
    expect(results.every((result) => result.errors.length === 0)).toBe(true);
    await conductor.close();
    const runs = await (await Vault.open({ dir })).runs();
    expect(runs).toHaveLength(2);
    const reloaded = await Conductor.create({ config: cliff() });
    expect(reloaded.episodes).toBe(8);
    await reloaded.close();
  });

  it("refuses to save a component that does not match its schema, writing nothing (8)", async () => {
    const conductor = await Conductor.create({ config: cliff({ training: { maxStepsPerEpisode: 30, saveEvery: 100 } }) });
    await conductor.train({ episodes: 2 });
    const snapshot = conductor.snapshot.bind(conductor);
    conductor.snapshot = () => {
      const state = snapshot();
      const entries = (state.qPredictor as { entries: Array<{ value: number }> }).entries;
      (entries[0] as { value: number }).value = Number.NaN;
      return state;
    };
    await conductor.run();
    await expect(conductor.save()).rejects.toMatchObject({ code: "snapshot_invalid", message: expect.stringMatching(/Cannot save the Q-predictor/) });
    expect(await (await Vault.open({ dir })).runs()).toHaveLength(1);
  });

  it("starts from the previous run when the newest one's component does not restore (8)", async () => {
    const first = await Conductor.create({ config: cliff() });
    await first.train({ episodes: 3 });
    await first.close();
    const vault = await Vault.open({ dir });
    const good = (await vault.loadLatest()) as NonNullable<Awaited<ReturnType<Vault["loadLatest"]>>>;
    await vault.save({ ...good.state, qPredictor: { schemaVersion: 1, entries: "not a table" } });
    const warnings: string[] = [];
    const second = await Conductor.create({ config: cliff(), onWarning: (warning) => warnings.push(warning) });
    expect(second.loadedFrom).toBe(good.run);
    expect(second.episodes).toBe(3);
    expect(warnings.join("\n")).toMatch(/its state does not restore \(the Q-predictor: /);
    await second.close();
  });

  it("saves nothing more once closed, and says so instead of dropping episodes run after closing", async () => {
    const conductor = await Conductor.create({ config: cliff({ training: { maxStepsPerEpisode: 30, saveEvery: 100 } }) });
    await conductor.run();
    await conductor.close();
    expect(await fs.pathExists(path.join(dir, ".jotty.writer"))).toBe(false);
    await expect(conductor.save()).rejects.toMatchObject({ code: "invalid_argument", message: expect.stringContaining("This Conductor is closed") });
    await conductor.run();
    await expect(conductor.close()).rejects.toMatchObject({ message: expect.stringContaining("This Conductor is closed") });
    expect(await (await Vault.open({ dir })).runs()).toHaveLength(1);
  });

  it("refuses actor names that cannot name a file (18)", async () => {
    for (const name of ["a/b", "..", "../escape", ""]) {
      const actor = new RunnableActor({ name, run: (context) => context.actions[0] as string });
      await expect(Conductor.create({ config: cliff(), actors: [actor] })).rejects.toMatchObject({ code: "config_invalid", message: expect.stringContaining("cannot be used") });
    }
    expect(await fsp.readdir(dir)).toEqual([]);
  });
});

describe("one learning process a folder (10)", () => {
  it("refuses, warns or waits when another live process is learning into the folder, as configured", async () => {
    await foreignLease();
    await expect(Conductor.create({ config: cliff({ persistence: { concurrentWriters: "refuse" } }) })).rejects.toMatchObject({
      code: "vault_locked",
      message: expect.stringMatching(/is learning into .*would not be merged/),
    });
    const warned: string[] = [];
    const unmerged = await Conductor.create({ config: cliff({ persistence: { concurrentWriters: "warn" } }), onWarning: (warning) => warned.push(warning) });
    expect(warned.join("\n")).toMatch(/learning is not merged/);
    await unmerged.close();
    const waited: string[] = [];
    const released = new Promise<void>((resolve) => setTimeout(() => void fsp.rm(path.join(dir, ".jotty.writer")).then(resolve), 300));
    const patient = await Conductor.create({ config: cliff(), onWarning: (warning) => waited.push(warning) });
    await released;
    expect(waited.join("\n")).toMatch(/waiting for it to finish/);
    // The lease is this Conductor's now, until it closes.
    expect(JSON.parse(await fsp.readFile(path.join(dir, ".jotty.writer"), "utf8"))).toMatchObject({ pid: process.pid });
    await patient.close();
    expect(await fsp.stat(path.join(dir, ".jotty.writer")).then(() => true, () => false)).toBe(false);
  });

  it("tells a save that another writer saved since it loaded", async () => {
    const warnings: string[] = [];
    const first = await Conductor.create({ config: cliff({ training: { maxStepsPerEpisode: 30, saveEvery: 100 } }), onWarning: (warning) => warnings.push(warning) });
    const other = await Vault.open({ dir });
    await other.save({ schemaVersion: 1, config: { name: "someone else" } });
    await first.run();
    await first.save();
    expect(warnings.join("\n")).toMatch(/was saved in .* by another writer after this state started empty/);
    await first.close();
  });
});
