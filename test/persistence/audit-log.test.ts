import { promises as fsp } from "node:fs";
import os from "node:os";
import path from "node:path";
import fs from "fs-extra";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cli } from "../support/cli.js";
import { AuditLog, ManualClock, Vault, type AuditRecord, type JottyState } from "../../src/index.js";

let dir: string;
let clock: ManualClock;

beforeEach(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), "jotty-audit-"));
  clock = new ManualClock(Date.UTC(2026, 2, 15, 12, 0, 0));
});

afterEach(async () => {
  await fs.remove(dir);
});

const SECRET = "Filter dates on dt: the house rule nobody wrote down";

function state(generation: number): JottyState {
  return {
    schemaVersion: 1,
    config: { name: "test", generation },
    sharedMemory: { entries: [{ id: "m1", content: SECRET }] },
    qPredictor: { generation, entries: [] },
  };
}

async function records(file: string): Promise<AuditRecord[]> {
  return (await fsp.readFile(file, "utf8"))
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as AuditRecord);
}

async function verify(folder: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return cli("audit", "verify", folder);
}

describe("the audit log", () => {
  it("records every save, deletion, backup, export, reset and restore, by id and never by content", async () => {
    const vault = await Vault.open({ dir: path.join(dir, "out"), clock, keepRuns: 1, auditBy: "ana" });
    const first = await vault.save(state(1));
    clock.advance(1000);
    const second = await vault.save(state(2));
    await vault.backup(path.join(dir, "backup.gz"));
    await vault.export();
    await vault.reset({ confirm: true });
    await Vault.restoreBackup(path.join(dir, "backup.gz"), path.join(dir, "restored"));

    const log = await records(path.join(dir, "out", "audit.jsonl"));
    expect(log.map((record) => [record.action, record.ids])).toEqual([
      ["save", [first]],
      ["save", [second]],
      ["delete", [first]],
      ["backup", [second]],
      ["export", [second]],
      ["reset", [second]],
    ]);
    expect(log.map((record) => record.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(log.every((record) => record.by === "ana")).toBe(true);
    expect(log[0]?.time).toBe("2026-03-15T12:00:00.000Z");
    expect(await fsp.readFile(path.join(dir, "out", "audit.jsonl"), "utf8")).not.toContain("house rule");
    expect((await records(path.join(dir, "restored", "audit.jsonl"))).map((record) => [record.action, record.ids])).toEqual([["restore", [second]]]);
    expect(await AuditLog.verify(path.join(dir, "out", "audit.jsonl"))).toEqual({ ok: true, records: 6 });
    const cli = await verify(path.join(dir, "out"));
    expect(cli.code).toBe(0);
    expect(cli.stdout).toContain("6 records, the chain is intact");
  });

  it("finds an edited, a removed and a reordered line", async () => {
    const vault = await Vault.open({ dir, clock, auditBy: "ana" });
    for (let generation = 1; generation <= 4; generation += 1) {
      await vault.save(state(generation));
      clock.advance(1000);
    }
    const file = path.join(dir, "audit.jsonl");
    const lines = (await fsp.readFile(file, "utf8")).trim().split("\n");
    const damaged = async (edit: string[]): Promise<Awaited<ReturnType<typeof AuditLog.verify>>> => {
      await fsp.writeFile(file, `${edit.join("\n")}\n`);
      return AuditLog.verify(file);
    };
    const edited = [...lines];
    edited[1] = (edited[1] as string).replace('"by":"ana"', '"by":"eve"');
    expect(await damaged(edited)).toMatchObject({ ok: false, line: 2, records: 1, problem: expect.stringMatching(/hash does not match/) });
    expect(await damaged([lines[0], lines[2], lines[3]] as string[])).toMatchObject({ ok: false, line: 2, problem: expect.stringMatching(/sequence number 3/) });
    expect(await damaged([lines[0], lines[2], lines[1], lines[3]] as string[])).toMatchObject({ ok: false, line: 2 });
    // Renumbering does not help: the line still does not follow the one before.
    const renumbered = [lines[0], (lines[2] as string).replace('"seq":3', '"seq":2')] as string[];
    expect(await damaged(renumbered)).toMatchObject({ ok: false, line: 2, problem: expect.stringMatching(/does not follow the line before/) });
    await damaged(edited);
    const cli = await verify(dir);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(/audit\.jsonl line 2: its hash does not match its content \(the line was edited\)\. The 1 records before it are intact\./);
  });

  it("removes a line a crash cut short, records that it did, and carries on the chain", async () => {
    const vault = await Vault.open({ dir, clock });
    await vault.save(state(1));
    await fsp.appendFile(path.join(dir, "audit.jsonl"), '{"seq":2,"time":"2026-03-');
    expect(await AuditLog.verify(path.join(dir, "audit.jsonl"))).toMatchObject({ ok: false, line: 2, problem: expect.stringMatching(/cut short/) });
    clock.advance(1000);
    await vault.save(state(2));
    const log = await records(path.join(dir, "audit.jsonl"));
    expect(log.map((record) => record.action)).toEqual(["save", "repair", "save"]);
    expect(log[1]?.details).toMatchObject({ droppedBytes: 25 });
    expect(await AuditLog.verify(path.join(dir, "audit.jsonl"))).toEqual({ ok: true, records: 3 });
  });

  it("never costs a save: a log damaged by hand becomes a warning", async () => {
    const warnings: string[] = [];
    const vault = await Vault.open({ dir, clock, onWarning: (warning) => warnings.push(warning) });
    await vault.save(state(1));
    await fsp.appendFile(path.join(dir, "audit.jsonl"), "not a record\n");
    clock.advance(1000);
    const run = await vault.save(state(2));
    expect((await vault.loadLatest())?.run).toBe(run);
    expect(warnings.join("\n")).toMatch(/audit log not written: .*is not an audit record/);
  });
});
