import { spawn, type ChildProcess } from "node:child_process";
import os from "node:os";
import path from "node:path";
import fs from "fs-extra";
import { describe, expect, it } from "vitest";
import { Rng, Vault } from "../../src/index.js";
import { bigState, generationsOf } from "../support/big-state.js";

const SAVER = path.resolve("test/support/vault-saver.ts");

function startSaver(args: Array<string | number>): { child: ChildProcess; ready: Promise<void>; saved: number[]; savedOnce: Promise<void>; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ["--import", "tsx", SAVER, ...args.map(String)], { stdio: ["ignore", "pipe", "pipe"] });
  const saved: number[] = [];
  let firstSave: () => void = () => {};
  const savedOnce = new Promise<void>((resolve) => (firstSave = resolve));
  let errors = "";
  child.stderr?.on("data", (chunk: Buffer) => (errors += chunk.toString()));
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout?.on("data", (chunk: Buffer) => {
      for (const line of chunk.toString().split("\n")) {
        if (line === "ready") resolve();
        if (line.startsWith("saved ")) {
          saved.push(Number(line.slice(6)));
          firstSave();
        }
      }
    });
    child.on("exit", () => reject(new Error(`saver exited before it was ready: ${errors}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  void exited.then(() => firstSave());
  return { child, ready, saved, savedOnce, exited };
}

const sleep = (milliseconds: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, milliseconds));

describe("Vault under crashes", () => {
  it("after SIGKILL at random moments (50 times), loadLatest returns a complete state, old or new, never a mix", async () => {
    const lanes = 5;
    const killsPerLane = 10;
    const outcomes = await Promise.all(
      Array.from({ length: lanes }, async (_, lane) => {
        const dir = await fs.mkdtemp(path.join(os.tmpdir(), `jotty-crash-${lane}-`));
        const rng = new Rng(1000 + lane);
        try {
          const vault = await Vault.open({ dir, keepRuns: 1000 });
          await vault.save(bigState(0, 1500));
          let lastLoaded = 0;
          let newerSeen = 0;
          for (let kill = 0; kill < killsPerLane; kill += 1) {
            const first = (kill + 1) * 1000;
            const saver = startSaver([dir, first, 100, 1500]);
            await saver.ready;
            // Every other kill waits for a save first, so kills land after saves however slow the machine.
            if (kill % 2 === 1) await saver.savedOnce;
            await sleep(rng.int(0, 250));
            saver.child.kill("SIGKILL");
            await saver.exited;
            const loaded = await vault.loadLatest();
            expect(loaded).not.toBeNull();
            const generations = generationsOf(loaded?.state as never);
            expect(new Set(generations).size).toBe(1); // never a mix
            const generation = generations[0] as number;
            expect(generation).toBeGreaterThanOrEqual(lastLoaded); // never older than what a finished save left
            if (saver.saved.length > 0) expect(generation).toBeGreaterThanOrEqual(saver.saved.at(-1) as number);
            if (generation !== lastLoaded) newerSeen += 1;
            lastLoaded = generation;
          }
          return newerSeen;
        } finally {
          await fs.remove(dir);
        }
      }),
    );
    // Kills landed both before and after saves completed, and dead processes' locks were taken over.
    expect(outcomes.reduce((sum, newer) => sum + newer, 0)).toBeGreaterThan(5);
  }, 240_000);

  it("two processes saving at once: every run is complete and none is lost", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "jotty-concurrent-"));
    try {
      const one = startSaver([dir, 100, 5, 800]);
      const two = startSaver([dir, 200, 5, 800]);
      expect(await one.exited).toBe(0);
      expect(await two.exited).toBe(0);
      const vault = await Vault.open({ dir, keepRuns: 1000 });
      const runs = await vault.runs();
      expect(runs).toHaveLength(10);
      expect(runs.every((run) => run.complete)).toBe(true);
      const generations: number[] = [];
      for (const run of runs) {
        const loaded = await vault.load(run.name);
        const found = generationsOf(loaded.state);
        expect(new Set(found).size).toBe(1);
        generations.push(found[0] as number);
      }
      expect(generations.sort((a, b) => a - b)).toEqual([100, 101, 102, 103, 104, 200, 201, 202, 203, 204]);
    } finally {
      await fs.remove(dir);
    }
  }, 120_000);
});
