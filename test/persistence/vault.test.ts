import { promises as fsp } from "node:fs";
import os from "node:os";
import path from "node:path";
import fs from "fs-extra";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  HierarchicalMemory,
  JottyError,
  ManualClock,
  QPredictor,
  Vault,
  type JottyState,
} from "../../src/index.js";

let dir: string;
let clock: ManualClock;

beforeEach(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), "jotty-vault-"));
  clock = new ManualClock(Date.UTC(2026, 2, 15, 12, 0, 0));
});

afterEach(async () => {
  await fs.remove(dir);
});

function state(generation: number): JottyState {
  return {
    schemaVersion: 1,
    config: { name: "test", generation },
    summary: { generation, episodes: [{ reward: generation }] },
    sharedMemory: { generation, entries: Array.from({ length: 20 }, (_, index) => ({ id: `m${index}`, content: `memory ${index}` })) },
    localMemories: { analyst: { generation }, critic: { generation } },
    qPredictor: { generation, entries: [] },
    brainState: { memory_learner: { generation } },
    todos: { generation },
    experience: { playbooks: { generation } },
  };
}

async function open(options: Partial<Parameters<typeof Vault.open>[0]> = {}): Promise<{ vault: Vault; warnings: string[] }> {
  const warnings: string[] = [];
  const vault = await Vault.open({ dir, clock, onWarning: (warning) => warnings.push(warning), ...options });
  return { vault, warnings };
}

async function runFiles(run: string): Promise<string[]> {
  const folder = path.join(dir, run);
  const entries = await fsp.readdir(folder, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => path.relative(folder, path.join(entry.parentPath, entry.name))).sort();
}

describe("Vault save and load", () => {
  it("loads text beyond ASCII as it was saved, plain, compressed and encrypted", async () => {
    const texts = ["Café au lait, naïve", "日本語のメモ", "rocket 🚀 and a lone \u00e9", "plain ascii"];
    for (const options of [{}, { compress: true }, { encryptionKey: "a long test passphrase" }] as const) {
      await fs.emptyDir(dir);
      const { vault } = await open(options);
      const saved = state(1);
      saved.sharedMemory = { entries: texts.map((content, index) => ({ id: `m${index}`, content })) };
      await vault.save(saved);
      const loaded = await (await open(options)).vault.loadLatest();
      expect((loaded?.state.sharedMemory as { entries: Array<{ content: string }> }).entries.map((entry) => entry.content)).toEqual(texts);
    }
  });

  it("writes the DESIGN layout, manifest last, LATEST after, and loads the same state back", async () => {
    const { vault } = await open();
    expect(await vault.loadLatest()).toBeNull();
    const run = await vault.save(state(1));
    expect(run).toBe("run_20260315_120000");
    expect(await runFiles(run)).toEqual([
      "config_snapshot.json",
      "jotty_state/brain_state/memory_learner.json",
      "jotty_state/experience/playbooks.json",
      "jotty_state/manifest.json",
      "jotty_state/markovian_todos/todo_state.json",
      "jotty_state/memories/local_memories/analyst.json",
      "jotty_state/memories/local_memories/critic.json",
      "jotty_state/memories/shared_memory.json",
      "jotty_state/q_tables/q_predictor_buffer.json",
      "run_summary.json",
    ]);
    expect((await fsp.readFile(path.join(dir, "LATEST"), "utf8")).trim()).toBe(run);
    const loaded = await vault.loadLatest();
    expect(loaded).toEqual({ state: state(1), run, warnings: [] });
    // A second save in the same second gets its own folder.
    expect(await vault.save(state(2))).toBe("run_20260315_120000_2");
    expect((await vault.loadLatest())?.state).toEqual(state(2));
    const runs = await vault.runs();
    expect(runs.map((info) => [info.name, info.complete])).toEqual([
      ["run_20260315_120000_2", true],
      ["run_20260315_120000", true],
    ]);
    expect(runs[0]?.bytes).toBeGreaterThan(500);
  });

  it("round-trips real memory and Q-predictor snapshots", async () => {
    const memory = new HierarchicalMemory({ clock });
    await memory.store({ level: "episodic", kind: "success", content: "Filter on dt", goal: "revenue", value: 0.8 });
    const q = new QPredictor({ alpha: 0.5, gamma: 0.9 });
    await q.update({ state: "count refunds", action: "use category_code", reward: 1, nextState: null, done: true });
    const { vault } = await open({ compress: true });
    await vault.save({ schemaVersion: 1, sharedMemory: memory.snapshot(), qPredictor: q.snapshot() });
    const loaded = await vault.loadLatest();
    const restoredMemory = await HierarchicalMemory.restore(loaded?.state.sharedMemory, { clock });
    const restoredQ = await QPredictor.restore(loaded?.state.qPredictor);
    expect(restoredMemory.snapshot()).toEqual(memory.snapshot());
    expect(restoredQ.snapshot()).toEqual(q.snapshot());
  });

  it("refuses a state that does not match the schema, writing nothing", async () => {
    const { vault } = await open();
    await expect(vault.save({ schemaVersion: 1, localMemories: { "../escape": {} } } as JottyState)).rejects.toMatchObject({ code: "snapshot_invalid" });
    await expect(vault.save({ schemaVersion: 3 } as unknown as JottyState)).rejects.toBeInstanceOf(JottyError);
    expect(await vault.runs()).toEqual([]);
  });

  it("keeps the last N complete runs, never the one LATEST names", async () => {
    const { vault } = await open({ keepRuns: 2 });
    for (let generation = 1; generation <= 4; generation += 1) {
      await vault.save(state(generation));
      clock.advance(1000);
    }
    const names = (await vault.runs()).map((info) => info.name);
    expect(names).toEqual(["run_20260315_120003", "run_20260315_120002"]);
    expect((await vault.loadLatest())?.state).toEqual(state(4));
  });

  it("gzips files when asked, and they load the same", async () => {
    const { vault } = await open({ compress: true });
    const run = await vault.save(state(1));
    expect((await runFiles(run)).filter((file) => file !== "jotty_state/manifest.json").every((file) => file.endsWith(".json.gz"))).toBe(true);
    expect((await vault.loadLatest())?.state).toEqual(state(1));
  });

  it("encrypts with AES-256-GCM; a wrong or missing key fails clearly, never with garbage", async () => {
    const { vault } = await open({ encryptionKey: "correct horse battery staple" });
    const run = await vault.save(state(1));
    const raw = await fsp.readFile(path.join(dir, run, "jotty_state/memories/shared_memory.json.enc"));
    expect(raw.includes(Buffer.from("memory 1"))).toBe(false);
    expect((await vault.loadLatest())?.state).toEqual(state(1));
    const { vault: wrong } = await open({ encryptionKey: "not the right passphrase" });
    await expect(wrong.loadLatest()).rejects.toMatchObject({ code: "vault_decrypt_failed", message: expect.stringContaining("key is wrong") });
    const { vault: missing } = await open();
    await expect(missing.loadLatest()).rejects.toMatchObject({ code: "vault_decrypt_failed" });
    expect(await vault.runs()).toHaveLength(1);
  });
});

describe("Vault on damaged runs", () => {
  async function damagedAfterGood(damage: (run: string) => Promise<void>, options: Partial<Parameters<typeof Vault.open>[0]> = {}) {
    const { vault, warnings } = await open(options);
    const good = await vault.save(state(1));
    clock.advance(1000);
    const bad = await vault.save(state(2));
    await damage(bad);
    const loaded = await vault.loadLatest();
    return { vault, warnings, good, bad, loaded };
  }

  const cases: Array<[string, (run: string) => Promise<void>, RegExp]> = [
    ["a truncated file", async (run) => {
      const file = path.join(dir, run, "jotty_state/memories/shared_memory.json");
      const bytes = await fsp.readFile(file);
      await fsp.writeFile(file, bytes.subarray(0, bytes.length / 2));
    }, /shared_memory\.json does not match its checksum/],
    ["garbage bytes", async (run) => {
      await fsp.writeFile(path.join(dir, run, "jotty_state/q_tables/q_predictor_buffer.json"), Buffer.from([0, 159, 146, 150, 1, 2]));
    }, /q_predictor_buffer\.json does not match its checksum/],
    ["a wrong checksum", async (run) => {
      const file = path.join(dir, run, "jotty_state/manifest.json");
      const manifest = JSON.parse(await fsp.readFile(file, "utf8")) as { files: Array<{ sha256: string }> };
      (manifest.files[0] as { sha256: string }).sha256 = "0".repeat(64);
      await fsp.writeFile(file, JSON.stringify(manifest));
    }, /config_snapshot\.json does not match its checksum/],
    ["a missing manifest", async (run) => {
      await fsp.rm(path.join(dir, run, "jotty_state/manifest.json"));
    }, /missing jotty_state\/manifest\.json/],
    ["a missing file", async (run) => {
      await fsp.rm(path.join(dir, run, "jotty_state/markovian_todos/todo_state.json"));
    }, /missing jotty_state\/markovian_todos\/todo_state\.json/],
    ["an unknown (newer) version", async (run) => {
      const file = path.join(dir, run, "jotty_state/manifest.json");
      const manifest = JSON.parse(await fsp.readFile(file, "utf8")) as { schemaVersion: number };
      manifest.schemaVersion = 9;
      await fsp.writeFile(file, JSON.stringify(manifest));
    }, /state schema version 9 is newer than this Jotty reads \(1\)/],
  ];

  for (const [name, damage, reason] of cases) {
    it(`loads the previous complete run after ${name}, with a warning naming the file, deleting nothing`, async () => {
      const { vault, warnings, good, bad, loaded } = await damagedAfterGood(damage);
      expect(loaded?.run).toBe(good);
      expect(loaded?.state).toEqual(state(1));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(reason);
      expect(warnings[0]).toContain(bad);
      expect(loaded?.warnings).toEqual(warnings);
      expect((await vault.runs()).map((info) => info.name)).toEqual([bad, good]);
    });
  }

  it("loads the previous run when the newest was encrypted with another key", async () => {
    const { vault: first } = await open({ encryptionKey: "the first passphrase" });
    const good = await first.save(state(1));
    clock.advance(1000);
    const { vault: second } = await open({ encryptionKey: "a different passphrase" });
    await second.save(state(2));
    const { vault: reader, warnings } = await open({ encryptionKey: "the first passphrase" });
    const loaded = await reader.loadLatest();
    expect(loaded?.run).toBe(good);
    expect(warnings[0]).toMatch(/key is wrong or the manifest was altered/);
  });

  it("throws a clear error listing every reason when no run is valid", async () => {
    const { vault } = await open();
    const run = await vault.save(state(1));
    await fsp.writeFile(path.join(dir, run, "jotty_state/q_tables/q_predictor_buffer.json"), "{}");
    await expect(vault.loadLatest()).rejects.toMatchObject({
      code: "vault_no_valid_state",
      message: expect.stringContaining(`${run}: jotty_state/q_tables/q_predictor_buffer.json does not match its checksum`),
    });
    expect(await fsp.stat(path.join(dir, run)).then(() => true)).toBe(true);
  });

  it("takes a folder whose only run never finished its save for an empty one, and the next save cleans it", async () => {
    const { vault, warnings } = await open();
    const run = await vault.save(state(1));
    await fsp.rm(path.join(dir, run, "jotty_state/manifest.json"));
    expect(await vault.loadLatest()).toBeNull();
    expect(warnings[0]).toContain(`${run}: missing jotty_state/manifest.json`);
    clock.advance(1000);
    const next = await vault.save(state(2));
    expect((await vault.runs()).map((info) => info.name)).toEqual([next]);
  });
});

describe("learning modes", () => {
  it("PERSISTENT loads the newest run and saves; CONTEXTUAL neither; DISABLED loads only a named run and saves nothing", async () => {
    const { vault } = await open();
    const first = await vault.save(state(1));
    clock.advance(1000);
    await vault.save(state(2));
    expect((await vault.loadForMode({ mode: "persistent" }))?.state).toEqual(state(2));
    expect(await vault.loadForMode({ mode: "contextual" })).toBeNull();
    expect(await vault.loadForMode({ mode: "disabled" })).toBeNull();
    expect((await vault.loadForMode({ mode: "disabled", run: first }))?.state).toEqual(state(1));
    await expect(vault.loadForMode({ mode: "disabled", run: "run_19990101_000000" })).rejects.toMatchObject({ code: "vault_run_not_found" });
    clock.advance(1000);
    expect(await vault.saveForMode({ mode: "contextual", state: state(3) })).toBeNull();
    expect(await vault.saveForMode({ mode: "disabled", state: state(3) })).toBeNull();
    expect(await vault.runs()).toHaveLength(2);
    expect(await vault.saveForMode({ mode: "persistent", state: state(3) })).toBe("run_20260315_120002");
  });
});

describe("backup, export, reset", () => {
  it("backs up every complete run into one archive and restores it elsewhere after checking it", async () => {
    const { vault } = await open({ compress: true });
    await vault.save(state(1));
    clock.advance(1000);
    await vault.save(state(2));
    const archive = path.join(dir, "backup.jotty.gz");
    expect(await vault.backup(archive)).toMatchObject({ runs: 2 });
    const elsewhere = path.join(dir, "restored");
    expect((await Vault.restoreBackup(archive, elsewhere)).runs).toHaveLength(2);
    const restored = await Vault.open({ dir: elsewhere, compress: true });
    expect((await restored.loadLatest())?.state).toEqual(state(2));
    // A damaged archive is refused before anything is written.
    const bytes = await fsp.readFile(archive);
    bytes[bytes.length - 20] = (bytes[bytes.length - 20] as number) ^ 0xff;
    await fsp.writeFile(archive, bytes);
    await expect(Vault.restoreBackup(archive, path.join(dir, "other"))).rejects.toMatchObject({ code: "backup_invalid" });
    expect(await fsp.stat(path.join(dir, "other")).then(() => true, () => false)).toBe(false);
  });

  it("exports the newest state as one JSON document", async () => {
    const { vault } = await open();
    await expect(vault.export()).rejects.toMatchObject({ code: "vault_no_valid_state" });
    const run = await vault.save(state(5));
    const exported = await vault.export();
    expect(JSON.parse(JSON.stringify(exported))).toMatchObject({ format: "jotty-export", version: 1, run, state: state(5) });
  });

  it("resets only when confirmed", async () => {
    const { vault } = await open();
    await vault.save(state(1));
    await expect(vault.reset({ confirm: false })).rejects.toMatchObject({ code: "confirmation_required" });
    expect(await vault.runs()).toHaveLength(1);
    expect(await vault.reset({ confirm: true })).toEqual({ deleted: 1 });
    expect(await vault.loadLatest()).toBeNull();
    expect(await fsp.stat(path.join(dir, "LATEST")).then(() => true, () => false)).toBe(false);
  });
});

describe("the folder lock", () => {
  it("fails clearly when another live process holds it and waiting is off, and takes over a dead one's", async () => {
    const lock = path.join(dir, ".jotty.lock");
    await fsp.writeFile(lock, JSON.stringify({ pid: process.ppid, hostname: os.hostname(), acquiredAt: new Date().toISOString() }));
    const { vault } = await open({ lock: { wait: false } });
    await expect(vault.save(state(1))).rejects.toMatchObject({ code: "vault_locked", message: expect.stringContaining(String(process.ppid)) });
    const { vault: patient } = await open({ lock: { wait: true, timeoutMs: 200 } });
    await expect(patient.save(state(1))).rejects.toMatchObject({ code: "vault_locked" });
    // A lock whose process is gone is stale.
    await fsp.writeFile(lock, JSON.stringify({ pid: 2 ** 22 + 12345, hostname: os.hostname(), acquiredAt: new Date().toISOString() }));
    expect(await vault.save(state(1))).toMatch(/^run_/);
    expect(await fsp.stat(lock).then(() => true, () => false)).toBe(false);
  });
});

describe("fromConfig", () => {
  it("reads the folder, options and the encryption key's environment variable", async () => {
    const { parseConfig } = await import("../../src/index.js");
    const config = parseConfig({ outputDir: dir, persistence: { keepRuns: 3, compress: true, encryptionKeyEnv: "JOTTY_VAULT_KEY" } });
    await expect(Vault.fromConfig(config, { env: {} })).rejects.toMatchObject({ code: "config_invalid" });
    const vault = await Vault.fromConfig(config, { env: { JOTTY_VAULT_KEY: "a long enough passphrase" }, clock });
    const run = await vault.save(state(1));
    expect((await runFiles(run)).some((file) => file.endsWith(".json.gz.enc"))).toBe(true);
    expect(vault.keepRuns).toBe(3);
  });
});
