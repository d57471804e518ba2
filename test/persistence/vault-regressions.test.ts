// One test for each defect a probe of the Vault found (issue 13); each fails on the Vault before the fix.
import { promises as fsp } from "node:fs";
import os from "node:os";
import path from "node:path";
import fs from "fs-extra";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AuditLog, deriveKey, JottyError, ManualClock, Vault, VaultCheckpointer, type JottyState } from "../../src/index.js";
import { cli } from "../support/cli.js";
import { twoStepGraph } from "../support/two-step-graph.js";

let dir: string;
let clock: ManualClock;

beforeEach(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), "jotty-regress-"));
  clock = new ManualClock(Date.UTC(2026, 2, 15, 12, 0, 0));
});

afterEach(async () => {
  await fs.remove(dir);
});

const SECRET = "the house rule: filter dates on dt";

function state(generation: number): JottyState {
  return {
    schemaVersion: 1,
    config: { generation },
    sharedMemory: { generation, entries: [{ id: "m1", content: SECRET }] },
    qPredictor: { generation },
  };
}

const generation = (loaded: { state: JottyState } | null): unknown => (loaded?.state.config as { generation?: number } | undefined)?.generation;

async function allFiles(folder: string): Promise<string[]> {
  const entries = await fsp.readdir(folder, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => path.join(entry.parentPath, entry.name));
}

describe("run names (1, 6)", () => {
  it("only increase: ten saves in one second with keepRuns 2 load the tenth, and LATEST names it", async () => {
    const vault = await Vault.open({ dir, clock, keepRuns: 2 });
    const names: string[] = [];
    for (let index = 1; index <= 10; index += 1) names.push(await vault.save(state(index)));
    expect(new Set(names).size).toBe(10);
    expect([...names].sort((a, b) => Number(a.split("_")[3] ?? 1) - Number(b.split("_")[3] ?? 1))).toEqual(names);
    expect(generation(await vault.loadLatest())).toBe(10);
    expect((await fsp.readFile(path.join(dir, "LATEST"), "utf8")).trim()).toBe(names[9]);
    expect((await vault.runs()).map((run) => run.name)).toEqual([names[9], names[8]]);
  });

  it("only increase when the clock goes back", async () => {
    const vault = await Vault.open({ dir, clock });
    const first = await vault.save(state(1));
    clock.advance(-3_600_000);
    const second = await vault.save(state(2));
    expect(second > first).toBe(true);
    expect(generation(await vault.loadLatest())).toBe(2);
  });

  it("the newest save wins, even from a process that opened its checkpoints first", async () => {
    const early = await Vault.open({ dir, clock });
    await early.checkpointer();
    clock.advance(5_000);
    const late = await Vault.open({ dir, clock });
    await late.save(state(1));
    clock.advance(5_000);
    await early.save(state(2));
    expect(generation(await late.loadLatest())).toBe(2);
  });
});

describe("damaged manifests (4, 15, 17)", () => {
  it("an unparsable manifest is skipped with a warning everywhere and never blocks a save", async () => {
    const warnings: string[] = [];
    const vault = await Vault.open({ dir, clock, onWarning: (warning) => warnings.push(warning) });
    const good = await vault.save(state(1));
    clock.advance(1000);
    const bad = await vault.save(state(2));
    await fsp.writeFile(path.join(dir, bad, "jotty_state/manifest.json"), Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x7b, 0x00, 0x9f]));
    const runs = await vault.runs();
    expect(runs.map((run) => [run.name, run.status])).toEqual([
      [bad, "damaged"],
      [good, "complete"],
    ]);
    expect((await vault.usage()).runs.map((run) => run.run)).toEqual([good]);
    expect(warnings.join("\n")).toMatch(/manifest\.json is not valid JSON/);
    clock.advance(1000);
    const next = await vault.save(state(3));
    expect(generation(await vault.loadLatest())).toBe(3);
    expect((await vault.runs()).map((run) => run.name)).toEqual([next, bad, good]);
  });

  it("a same-size corruption makes a run damaged in runs(), not complete", async () => {
    const vault = await Vault.open({ dir, clock });
    const run = await vault.save(state(1));
    const file = path.join(dir, run, "jotty_state/memories/shared_memory.json");
    const bytes = await fsp.readFile(file);
    bytes[bytes.length - 3] = (bytes[bytes.length - 3] as number) ^ 0x01;
    await fsp.writeFile(file, bytes);
    const [info] = await vault.runs();
    expect(info).toMatchObject({ name: run, complete: false, status: "damaged", problem: expect.stringMatching(/shared_memory\.json does not match its checksum/) });
  });

  it("a manifest naming a file outside its run folder is refused and the file is never read", async () => {
    const outside = path.join(dir, "..", `${path.basename(dir)}-secret.json`);
    await fsp.writeFile(outside, JSON.stringify({ generation: 666 }));
    try {
      const warnings: string[] = [];
      const vault = await Vault.open({ dir, clock, onWarning: (warning) => warnings.push(warning) });
      await vault.save(state(1));
      clock.advance(1000);
      const planted = await vault.save(state(2));
      const manifestFile = path.join(dir, planted, "jotty_state/manifest.json");
      const manifest = JSON.parse(await fsp.readFile(manifestFile, "utf8")) as { files: Array<{ path: string; stem: string; bytes: number; sha256: string }> };
      const bytes = await fsp.readFile(outside);
      const { createHash } = await import("node:crypto");
      manifest.files[0] = { path: `../../${path.basename(outside)}`, stem: "config_snapshot", bytes: bytes.length, sha256: createHash("sha256").update(bytes).digest("hex") };
      await fsp.writeFile(manifestFile, JSON.stringify(manifest));
      expect(generation(await vault.loadLatest())).toBe(1);
      expect(warnings.join("\n")).toMatch(/must be a relative path inside the run folder/);
    } finally {
      await fs.remove(outside);
    }
  });
});

describe("encrypted runs (11)", () => {
  const key = "correct horse battery staple";

  it("a plaintext run planted into an encrypted folder is not loaded", async () => {
    const encrypted = await Vault.open({ dir, clock, encryptionKey: key });
    await encrypted.save(state(1));
    clock.advance(1000);
    await (await Vault.open({ dir, clock })).save(state(666));
    const warnings: string[] = [];
    const reader = await Vault.open({ dir, clock, encryptionKey: key, onWarning: (warning) => warnings.push(warning) });
    expect(generation(await reader.loadLatest())).toBe(1);
    expect(warnings.join("\n")).toMatch(/is not encrypted, but this folder's runs are/);
  });

  it("files swapped between two encrypted runs, or a manifest copied into another run, do not load", async () => {
    const vault = await Vault.open({ dir, clock, encryptionKey: key });
    const first = await vault.save(state(1));
    clock.advance(1000);
    const second = await vault.save(state(2));
    clock.advance(1000);
    const third = await vault.save(state(3));
    const file = "jotty_state/q_tables/q_predictor_buffer.json.enc";
    // Swap a file of the newest run for the same file of another, and fix up the manifest's checksum.
    await fsp.copyFile(path.join(dir, first, file), path.join(dir, third, file));
    const manifestFile = path.join(dir, third, "jotty_state/manifest.json");
    const manifest = JSON.parse(await fsp.readFile(manifestFile, "utf8")) as { files: Array<{ path: string; bytes: number; sha256: string }>; mac: string };
    const bytes = await fsp.readFile(path.join(dir, third, file));
    const { createHash } = await import("node:crypto");
    const entry = manifest.files.find((candidate) => candidate.path === file) as { bytes: number; sha256: string };
    entry.bytes = bytes.length;
    entry.sha256 = createHash("sha256").update(bytes).digest("hex");
    await fsp.writeFile(manifestFile, JSON.stringify(manifest));
    const warnings: string[] = [];
    const reader = await Vault.open({ dir, clock, encryptionKey: key, onWarning: (warning) => warnings.push(warning) });
    expect(generation(await reader.loadLatest())).toBe(2);
    expect(warnings[0]).toMatch(/not authenticated by this key/);
    // The second run's manifest copied over the newest's, files and all: its name does not match.
    await fsp.rm(path.join(dir, third), { recursive: true });
    await fsp.cp(path.join(dir, second), path.join(dir, third), { recursive: true });
    const copied = await reader.loadLatest();
    expect(copied?.run).toBe(second);
  });
});

describe("more that must not load or be lost (7, 8, 10)", () => {
  const key = "correct horse battery staple";

  it("a plaintext backup is not restored into an encrypted folder", async () => {
    const plain = await Vault.open({ dir: path.join(dir, "plain"), clock });
    await plain.save(state(1));
    const archive = path.join(dir, "plain.gz");
    await plain.backup(archive);
    const target = path.join(dir, "sealed");
    await expect(Vault.restoreBackup(archive, target, { encryptionKey: key })).rejects.toMatchObject({ code: "backup_invalid", message: expect.stringMatching(/is not encrypted, but this folder's runs are/) });
    expect(await fs.pathExists(target)).toBe(false);
  });

  it("in an encrypted folder, a run in the old format newer than one in the new is not loaded (copied in)", async () => {
    const { encodeText } = await import("../../src/persistence/index.js");
    const vault = await Vault.open({ dir, clock, encryptionKey: key });
    const saved = await vault.save(state(1));
    // A run as the previous manifest version wrote it, under a newer name.
    const planted = "run_20300101_000000";
    const bytes = await encodeText(JSON.stringify({ generation: 666 }), { compress: false, key: deriveKey(key) });
    await fsp.mkdir(path.join(dir, planted, "jotty_state"), { recursive: true });
    await fsp.writeFile(path.join(dir, planted, "config_snapshot.json.enc"), bytes);
    const { createHash } = await import("node:crypto");
    const manifest = {
      manifestVersion: 1,
      schemaVersion: 1,
      createdAt: "2030-01-01T00:00:00.000Z",
      run: planted,
      codec: { compress: false, encrypted: true },
      files: [{ path: "config_snapshot.json.enc", stem: "config_snapshot", bytes: bytes.length, sha256: createHash("sha256").update(bytes).digest("hex") }],
    };
    await fsp.writeFile(path.join(dir, planted, "jotty_state/manifest.json"), JSON.stringify(manifest));
    const warnings: string[] = [];
    const reader = await Vault.open({ dir, clock, encryptionKey: key, onWarning: (warning) => warnings.push(warning) });
    expect((await reader.loadLatest())?.run).toBe(saved);
    expect(warnings[0]).toMatch(/old manifest format, newer than runs in the new one/);
  });

  it("two leases asked for at once in one process are one lease, held until both are given back", async () => {
    const vault = await Vault.open({ dir, clock });
    const [first, second] = await Promise.all([vault.acquireWriter({ onBusy: "refuse" }), vault.acquireWriter({ onBusy: "refuse" })]);
    const lease = path.join(dir, ".jotty.writer");
    expect(JSON.parse(await fsp.readFile(lease, "utf8"))).toMatchObject({ pid: process.pid });
    await first();
    expect(await fs.pathExists(lease)).toBe(true);
    await second();
    expect(await fs.pathExists(lease)).toBe(false);
  });
});

describe("the audit log (12)", () => {
  async function savedTwice(): Promise<{ vault: Vault; file: string; lines: string[] }> {
    const vault = await Vault.open({ dir, clock, keepRuns: 10 });
    await vault.save(state(1));
    clock.advance(1000);
    await vault.save(state(2));
    await vault.export();
    const file = path.join(dir, "audit.jsonl");
    return { vault, file, lines: (await fsp.readFile(file, "utf8")).trim().split("\n") };
  }

  it("finds its last line deleted, its last lines deleted, and all but the first deleted", async () => {
    const { vault, file, lines } = await savedTwice();
    expect(lines).toHaveLength(3);
    const anchors = await vault.auditAnchors();
    for (const kept of [2, 1]) {
      await fsp.writeFile(file, `${lines.slice(0, kept).join("\n")}\n`);
      expect(await AuditLog.verify(file, { anchors })).toMatchObject({ ok: false, problem: expect.stringMatching(/records were removed from its end/) });
      const { code, stderr } = await cli("audit", "verify", dir);
      expect(code).toBe(1);
      expect(stderr).toMatch(/the log ends at record \d, but .* records that record \d was written/);
    }
    // Without the head file, the runs' manifests still know what their saves wrote.
    await fsp.rm(`${file}.head`);
    expect(await AuditLog.verify(file, { anchors })).toMatchObject({ ok: false, problem: expect.stringMatching(/run run_\d+_\d+ records that record 2 was written/) });
  });

  it("takes records of any size, and the next append still works", async () => {
    const vault = await Vault.open({ dir, clock });
    const ids = Array.from({ length: 4000 }, (_, index) => `shared/memory-${index}-${"x".repeat(20)}`);
    await vault.save(state(1), { audit: [{ action: "create", ids }] });
    clock.advance(1000);
    await vault.save(state(2));
    const records = (await fsp.readFile(path.join(dir, "audit.jsonl"), "utf8")).trim().split("\n");
    expect(records[1]?.length).toBeGreaterThan(65_536);
    expect(records.map((line) => (JSON.parse(line) as { action: string }).action)).toEqual(["save", "create", "save"]);
    expect(await AuditLog.verify(path.join(dir, "audit.jsonl"), { anchors: await vault.auditAnchors() })).toEqual({ ok: true, records: 3 });
  });

  it("a save whose process died part-way through appending its records gets them whole, not a repair", async () => {
    const vault = await Vault.open({ dir, clock });
    await vault.save(state(1));
    const file = path.join(dir, "audit.jsonl");
    const head = await fsp.readFile(`${file}.head`);
    clock.advance(1000);
    await vault.save(state(2), { audit: [{ action: "create", ids: ["shared/a", "shared/b"] }] });
    const lines = (await fsp.readFile(file, "utf8")).split("\n");
    // Killed in the middle of the second save's second record.
    const cut = `${lines.slice(0, 2).join("\n")}\n${(lines[2] as string).slice(0, 40)}`;
    await fsp.writeFile(file, cut);
    await fsp.writeFile(`${file}.head`, head);
    await vault.export();
    const actions = (await fsp.readFile(file, "utf8")).trim().split("\n").map((line) => (JSON.parse(line) as { action: string }).action);
    expect(actions).toEqual(["save", "save", "create", "export"]);
    expect(await AuditLog.verify(file, { anchors: await vault.auditAnchors() })).toEqual({ ok: true, records: 4 });
  });

  it("a save whose process died before its records reached the log is recorded by the next operation", async () => {
    const vault = await Vault.open({ dir, clock });
    await vault.save(state(1));
    const file = path.join(dir, "audit.jsonl");
    const before = { log: await fsp.readFile(file), head: await fsp.readFile(`${file}.head`) };
    clock.advance(1000);
    await vault.save(state(2));
    // As if the process had died between LATEST and the append.
    await fsp.writeFile(file, before.log);
    await fsp.writeFile(`${file}.head`, before.head);
    await vault.export();
    const actions = (await fsp.readFile(file, "utf8")).trim().split("\n").map((line) => (JSON.parse(line) as { action: string }).action);
    expect(actions).toEqual(["save", "save", "export"]);
    expect(await AuditLog.verify(file, { anchors: await vault.auditAnchors() })).toEqual({ ok: true, records: 3 });
  });
});

describe("restoring a backup (7)", () => {
  it("an interrupted restore is finished by running it again, LATEST included", async () => {
    const source = await Vault.open({ dir: path.join(dir, "source"), clock });
    await source.save(state(1));
    clock.advance(1000);
    const newest = await source.save(state(2));
    const archive = path.join(dir, "backup.gz");
    await source.backup(archive);
    const target = path.join(dir, "target");
    // What a kill mid-write left: the newest run's folder without its manifest, and no LATEST.
    await fsp.mkdir(path.join(target, newest, "jotty_state"), { recursive: true });
    await fsp.copyFile(path.join(dir, "source", newest, "config_snapshot.json"), path.join(target, newest, "config_snapshot.json"));
    expect((await Vault.restoreBackup(archive, target)).runs).toContain(newest);
    expect((await fsp.readFile(path.join(target, "LATEST"), "utf8")).trim()).toBe(newest);
    expect(generation(await (await Vault.open({ dir: target })).loadLatest())).toBe(2);
  });
});

describe("what a state may hold (8)", () => {
  it("refuses NaN, Infinity and objects JSON does not keep, naming where, and writes nothing", async () => {
    const vault = await Vault.open({ dir, clock });
    await expect(vault.save({ schemaVersion: 1, qPredictor: { entries: [{ value: Number.NaN }] } })).rejects.toMatchObject({
      code: "snapshot_invalid",
      message: expect.stringContaining("state.qPredictor.entries[0].value is NaN"),
    });
    await expect(vault.save({ schemaVersion: 1, sharedMemory: { at: new Date(0) } as unknown as Record<string, unknown> })).rejects.toMatchObject({ message: expect.stringContaining("Date object") });
    expect(await fsp.readdir(dir)).toEqual([]);
  });

  it("falls back to the previous run when the newest one's state does not restore", async () => {
    const warnings: string[] = [];
    const vault = await Vault.open({ dir, clock, onWarning: (warning) => warnings.push(warning) });
    await vault.save(state(1));
    clock.advance(1000);
    await vault.save(state(2));
    const loaded = await vault.loadLatest({
      restore: async (loadedState) => {
        if ((loadedState.config as { generation: number }).generation === 2) throw new JottyError({ code: "snapshot_invalid", message: "the Q-predictor snapshot is not valid" });
        return "restored";
      },
    });
    expect(loaded).toMatchObject({ restored: "restored", state: { config: { generation: 1 } } });
    expect(warnings[0]).toMatch(/its state does not restore \(the Q-predictor snapshot is not valid\)/);
    // A failure that is not the state's (an embeddings endpoint down) is thrown, and no older run loads in its place.
    await expect(vault.loadLatest({ restore: async () => Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:8000")) })).rejects.toThrow("ECONNREFUSED");
  });
});

describe("checkpoints and crash leftovers (3, 9, 16)", () => {
  it("the checkpointer survives retention deleting every earlier run", async () => {
    const vault = await Vault.open({ dir, clock, keepRuns: 1 });
    const checkpointer = await vault.checkpointer();
    const graph = twoStepGraph({ first: 0, second: 0 }).compile({ checkpointer });
    for (let index = 0; index < 3; index += 1) {
      await graph.invoke({ steps: [] }, { configurable: { thread_id: `episode-${index}` } });
      await vault.save(state(index));
      clock.advance(1000);
    }
    expect((await vault.runs()).length).toBe(1);
  });

  it("a checkpointer never reads or copies another live process's checkpoints", async () => {
    const theirs = await (await Vault.open({ dir, clock })).checkpointer();
    await twoStepGraph({ first: 0, second: 0 }).compile({ checkpointer: theirs }).invoke({ steps: [] }, { configurable: { thread_id: "theirs" } });
    const mine = await (await Vault.open({ dir, clock })).checkpointer();
    expect(await fsp.readdir(mine.dir)).not.toContain("theirs.jsonl");
    expect(mine.threads()).toEqual([]);
  });

  it("the next save removes an unfinished run, dead processes' temporary files and empty checkpoint folders, and says so", async () => {
    const warnings: string[] = [];
    const vault = await Vault.open({ dir, clock, onWarning: (warning) => warnings.push(warning) });
    const first = await vault.save(state(1));
    const deadPid = 2 ** 22 + 4321;
    await fsp.mkdir(path.join(dir, "run_20260315_115959", "jotty_state"), { recursive: true });
    await fsp.writeFile(path.join(dir, "run_20260315_115959", "config_snapshot.json"), "{}");
    await fsp.writeFile(path.join(dir, `.LATEST.${deadPid}.0123456789ab.tmp`), "run_x");
    await fsp.writeFile(path.join(dir, first, "jotty_state", `.manifest.json.${deadPid}.0123456789ab.tmp`), "{");
    await fsp.mkdir(path.join(dir, "checkpoints", `w_${deadPid}_abcdef`), { recursive: true });
    await fsp.writeFile(path.join(dir, "checkpoints", `w_${deadPid}_abcdef`, "owner.json"), JSON.stringify({ pid: deadPid, hostname: os.hostname(), startTicks: 1 }));
    clock.advance(1000);
    await vault.save(state(2));
    const left = (await allFiles(dir)).map((file) => path.relative(dir, file));
    expect(left.some((file) => file.endsWith(".tmp") || file.includes("115959") || file.includes(`w_${deadPid}`))).toBe(false);
    expect(warnings.join("\n")).toMatch(/Cleaned up after a crash .*run_20260315_115959/);
  });
});

describe("the folder lock (21)", () => {
  it("takes over a lock whose pid a later, unrelated process now has, and one another host stopped renewing", async () => {
    const lock = path.join(dir, ".jotty.lock");
    // process.ppid is alive, but started at another time than the lock says.
    await fsp.writeFile(lock, JSON.stringify({ pid: process.ppid, hostname: os.hostname(), startTicks: 1, acquiredAt: "2026-01-01T00:00:00.000Z", token: "a" }));
    const vault = await Vault.open({ dir, clock, lock: { wait: false } });
    expect(await vault.save(state(1))).toMatch(/^run_/);
    await fsp.writeFile(lock, JSON.stringify({ pid: 1, hostname: "another-host", startTicks: 5, acquiredAt: "2026-01-01T00:00:00.000Z", token: "b" }));
    const old = new Date(Date.now() - 120_000);
    await fsp.utimes(lock, old, old);
    clock.advance(1000);
    expect(await vault.save(state(2))).toMatch(/^run_/);
  });

  it("a live holder elsewhere is waited for, and the error does not advise a setting already on", async () => {
    await fsp.writeFile(path.join(dir, ".jotty.lock"), JSON.stringify({ pid: 1, hostname: "another-host", startTicks: 5, acquiredAt: "2026-01-01T00:00:00.000Z", token: "c" }));
    const vault = await Vault.open({ dir, clock, lock: { wait: true, timeoutMs: 300 } });
    const error = await vault.save(state(1)).catch((caught: unknown) => caught as Error);
    expect(error).toMatchObject({ code: "vault_locked", message: expect.stringContaining("process 1 on another-host") });
    expect((error as Error).message).not.toContain("set persistence.lock.wait to true");
    expect((error as Error).message).toContain("persistence.lock.timeoutMs");
  });
});

describe("encrypted checkpoints (5)", () => {
  it("an encrypted folder holds no checkpoint content in the clear", async () => {
    const vault = await Vault.open({ dir, clock, encryptionKey: "correct horse battery staple" });
    const checkpointer = await vault.checkpointer();
    await twoStepGraph({ first: 0, second: 0 }).compile({ checkpointer }).invoke({ steps: [] }, { configurable: { thread_id: SECRET } });
    await vault.save(state(1));
    for (const file of await allFiles(dir)) {
      const text = await fsp.readFile(file, "utf8");
      expect(`${file}\n${text}`).not.toMatch(/house rule|first|second/);
    }
    const reopened = await VaultCheckpointer.open({ dir: checkpointer.dir, key: deriveKey("correct horse battery staple") });
    expect(reopened.threads()).toEqual([SECRET]);
  });
});
