// SIGKILL at random moments during `jotty train`, `jotty prune` and a backup restore (20 times
// each), an encrypted folder searched for learned text after a crash, and three trainings
// started at once on one folder. After every kill the next load is complete and never older
// than the last save the killed process acknowledged.
import { spawn, type ChildProcess } from "node:child_process";
import { promises as fsp } from "node:fs";
import os from "node:os";
import path from "node:path";
import fs from "fs-extra";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuditLog, Rng, SqlAnalyst, Vault } from "../../src/index.js";

const JOTTY = path.resolve("bin/jotty.js");
const RESTORER = path.resolve("test/support/restore-backup.ts");
const KILLS = 20;

let dir: string;
let config: string;
let template: string;

interface Child {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves when standard output holds the text. */
  printed: (text: string) => Promise<void>;
}

function start(args: string[], env: NodeJS.ProcessEnv = process.env): Child {
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"], env });
  let stdout = "";
  let stderr = "";
  const waiting: Array<{ text: string; resolve: () => void }> = [];
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
    for (const wait of waiting.filter((entry) => stdout.includes(entry.text))) wait.resolve();
  });
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on("close", (code, signal) => resolve({ code, signal })));
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    printed: (text) =>
      stdout.includes(text)
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            waiting.push({ text, resolve });
            void exited.then(() => resolve());
          }),
  };
}

const sleep = (milliseconds: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, milliseconds));

/** The episodes the newest complete state learned (what `jotty train` persists), or null with no run. */
async function learnedEpisodes(folder: string, key?: string): Promise<number | null> {
  const loaded = await (await Vault.open({ dir: folder, ...(key === undefined ? {} : { encryptionKey: key }) })).loadLatest();
  if (loaded === null) return null;
  return (loaded.state.brainState?.conductor as { episodes: number }).episodes;
}

/** The learned totals of every save a train process acknowledged on its output. */
function acknowledged(stdout: string): number[] {
  return [...stdout.matchAll(/saved after episode \d+ \((\d+) learned in all\)/g)].map((match) => Number(match[1]));
}

async function verifiedAudit(folder: string): Promise<void> {
  const vault = await Vault.open({ dir: folder });
  // The next locked operation mends what a kill may have left in the log; then the chain holds.
  await vault.export();
  const result = await AuditLog.verify(path.join(folder, "audit.jsonl"), { anchors: await vault.auditAnchors() });
  expect(result, JSON.stringify(result)).toMatchObject({ ok: true });
}

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "jotty-crash-suite-"));
  const base = await fs.readJson(path.resolve("configs/default.json"));
  config = path.join(dir, "config.json");
  await fs.writeJson(config, { ...base, $schema: undefined, outputDir: path.join(dir, "unused"), training: { ...base.training, maxStepsPerEpisode: 20, saveEvery: 3 }, persistence: { keepRuns: 4 } });
  // A folder of learned state to prune and back up.
  template = path.join(dir, "template");
  const trained = start([JOTTY, "train", "--config", config, "--output", template, "--episodes", "12"]);
  expect((await trained.exited).code).toBe(0);
}, 120_000);

afterAll(async () => {
  await fs.remove(dir);
});

describe("the crash suite", () => {
  it(`jotty train killed at random moments (${KILLS} times) loses at most the episodes since its last save`, async () => {
    const lanes = 2;
    const outcomes = await Promise.all(
      Array.from({ length: lanes }, async (_, lane) => {
        const folder = path.join(dir, `train-${lane}`);
        const rng = new Rng(31 + lane);
        let floor = 0;
        let savesSeen = 0;
        for (let kill = 0; kill < KILLS / lanes; kill += 1) {
          const run = start([JOTTY, "train", "--config", config, "--output", folder, "--episodes", "40"]);
          await run.printed("Run 1/1");
          // Every other kill waits for a save first, so kills land after saves however slow the machine.
          if (kill % 2 === 1) await run.printed("saved after episode");
          await sleep(rng.int(0, 2500));
          run.child.kill("SIGKILL");
          await run.exited;
          const acks = acknowledged(run.stdout());
          savesSeen += acks.length;
          floor = Math.max(floor, ...acks);
          const learned = await learnedEpisodes(folder);
          if (floor > 0) expect(learned, `lane ${lane} kill ${kill}: ${run.stdout()}`).not.toBeNull();
          expect(learned ?? 0).toBeGreaterThanOrEqual(floor);
          floor = Math.max(floor, learned ?? 0);
        }
        // A run after the kills starts from the last save, and leaves no dead checkpoints behind.
        const last = start([JOTTY, "train", "--config", config, "--output", folder, "--episodes", "3"]);
        expect((await last.exited).code).toBe(0);
        expect(await learnedEpisodes(folder)).toBe(floor + 3);
        const checkpointFolders = await fsp.readdir(path.join(folder, "checkpoints")).catch(() => []);
        expect(checkpointFolders).toEqual([]);
        await verifiedAudit(folder);
        return savesSeen;
      }),
    );
    // Kills landed after saves, not only before the first one.
    expect(outcomes.reduce((sum, saves) => sum + saves, 0)).toBeGreaterThan(5);
  }, 600_000);

  it(`jotty prune killed at random moments (${KILLS} times) leaves the state before or after, complete`, async () => {
    const original = (await (await Vault.open({ dir: template })).loadLatest())?.run;
    // How long a whole prune takes here, so the kills spread over it.
    const timing = path.join(dir, "prune-timing");
    await fs.copy(template, timing);
    const begin = Date.now();
    const full = start([JOTTY, "prune", timing, "--keep", "3"]);
    expect((await full.exited).code).toBe(0);
    const duration = Date.now() - begin;
    const rng = new Rng(77);
    const seen = { before: 0, after: 0 };
    for (let kill = 0; kill < KILLS; kill += 1) {
      const folder = path.join(dir, `prune-${kill}`);
      await fs.copy(template, folder);
      const prune = start([JOTTY, "prune", folder, "--keep", "3"]);
      await sleep(rng.int(Math.round(duration * 0.7), Math.round(duration * 1.5)));
      prune.child.kill("SIGKILL");
      await prune.exited;
      const saved = /saved to \S*(run_\d{8}_\d{6}(?:_\d+)?) \(from/.exec(prune.stdout())?.[1];
      const loaded = await (await Vault.open({ dir: folder })).loadLatest();
      expect(loaded).not.toBeNull();
      if (saved !== undefined) expect(loaded?.run).toBe(saved);
      // Killed before it said so: the state before, or the pruned run if its save had finished.
      else expect(loaded?.run === original || (loaded?.run ?? "") > (original ?? ""), loaded?.run).toBe(true);
      seen[loaded?.run === original ? "before" : "after"] += 1;
      await verifiedAudit(folder);
      await fs.remove(folder);
    }
    process.stdout.write(`prune kills: ${JSON.stringify(seen)} (prune takes ${duration} ms)\n`);
    // Kills landed before the pruned run was saved and after.
    expect(seen.before).toBeGreaterThan(0);
    expect(seen.after).toBeGreaterThan(0);
  }, 600_000);

  it(`a backup restore killed at random moments (${KILLS} times) leaves only complete runs, and running it again finishes it`, async () => {
    const source = await Vault.open({ dir: template });
    const archive = path.join(dir, "backup.jotty.gz");
    await source.backup(archive);
    const newest = (await source.loadLatest())?.run;
    // How long a whole restore takes here, from "ready", so the kills spread over it however slow the machine.
    const timed = start(["--import", "tsx", RESTORER, archive, path.join(dir, "restore-timing")]);
    await timed.printed("ready");
    const begin = Date.now();
    expect((await timed.exited).code).toBe(0);
    const duration = Math.max(20, Date.now() - begin);
    const rng = new Rng(5);
    const outcomes = { nothing: 0, partial: 0, whole: 0 };
    for (let kill = 0; kill < KILLS; kill += 1) {
      const target = path.join(dir, `restore-${kill}`);
      const restore = start(["--import", "tsx", RESTORER, archive, target]);
      await restore.printed("ready");
      await sleep(rng.int(0, duration));
      restore.child.kill("SIGKILL");
      await restore.exited;
      const vault = await Vault.open({ dir: target });
      const loaded = await vault.loadLatest();
      const restored = (await vault.runs()).filter((run) => run.complete).length;
      outcomes[loaded === null ? "nothing" : restored < 4 || loaded.run !== newest ? "partial" : "whole"] += 1;
      for (const run of await vault.runs()) expect(run.status === "complete" || run.status === "incomplete", run.name).toBe(true);
      await Vault.restoreBackup(archive, target);
      expect((await fsp.readFile(path.join(target, "LATEST"), "utf8")).trim()).toBe(newest);
      expect((await vault.loadLatest())?.run).toBe(newest);
      expect((await vault.runs()).every((run) => run.complete)).toBe(true);
      await fs.remove(target);
    }
    process.stdout.write(`restore kills: ${JSON.stringify(outcomes)} (a restore takes ${duration} ms)\n`);
    // Some kills interrupted a restore part-way, and running it again finished those.
    expect(outcomes.partial).toBeGreaterThan(0);
  }, 600_000);

  it("an encrypted folder holds no learned text in the clear after training, a crash and a resume", async () => {
    const folder = path.join(dir, "sealed");
    const encrypted = path.join(dir, "encrypted.json");
    await fs.writeJson(encrypted, { ...(await fs.readJson(config)), persistence: { keepRuns: 4, encryptionKeyEnv: "JOTTY_TEST_KEY" } });
    const env = { ...process.env, JOTTY_TEST_KEY: "a long passphrase nobody guesses" };
    const crashed = start([JOTTY, "train", "--config", encrypted, "--output", folder, "--episodes", "40"], env);
    await crashed.printed("saved after episode 3");
    await sleep(300);
    crashed.child.kill("SIGKILL");
    await crashed.exited;
    const resumed = start([JOTTY, "train", "--config", encrypted, "--output", folder, "--episodes", "6"], env);
    expect((await resumed.exited).code, resumed.stderr()).toBe(0);
    expect(resumed.stdout()).toMatch(/loaded state from run_/);
    const questions = new SqlAnalyst().tasks("train").map((task) => task.question);
    const learned = [...new Set(["filter dates on dt", "use category_code", "only settled ones", "amount_cents / 100.0", "one overall figure", "accept the answer", "Strategy", ...questions])];
    const files = (await fsp.readdir(folder, { recursive: true, withFileTypes: true })).filter((entry) => entry.isFile()).map((entry) => path.join(entry.parentPath, entry.name));
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      const text = (await fsp.readFile(file)).toString("latin1");
      for (const phrase of learned) expect(text.includes(phrase), `${path.relative(folder, file)} holds "${phrase}"`).toBe(false);
    }
    process.stdout.write(`encrypted folder: ${files.length} files searched for ${learned.length} learned phrases (${questions.length} training tasks), none found\n`);
    expect(await learnedEpisodes(folder, "a long passphrase nobody guesses")).toBeGreaterThanOrEqual(9);
  }, 300_000);

  it("three trainings started at once on one folder learn one after another; none is lost", async () => {
    const folder = path.join(dir, "together");
    const runs = [10, 12, 13].map((episodes) => start([JOTTY, "train", "--config", config, "--output", folder, "--episodes", String(episodes)]));
    const exits = await Promise.all(runs.map((run) => run.exited));
    expect(exits.map((exit) => exit.code)).toEqual([0, 0, 0]);
    expect(runs.filter((run) => run.stderr().includes("waiting for it to finish")).length).toBe(2);
    expect(await learnedEpisodes(folder)).toBe(35);
  }, 300_000);
});
