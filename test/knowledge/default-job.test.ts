import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseMemorySnapshot } from "../../src/memory/index.js";
import { Vault } from "../../src/persistence/index.js";
import { cli } from "../support/cli.js";

const HOUSE_RULES = ['USE "filter dates on dt"', 'USE "use category_code"', 'USE "amount_cents / 100.0"', 'USE "only settled ones"'];
const CORRECT = ["filter dates on dt", "use category_code", "amount_cents / 100.0", "only settled ones", "only the status the question names"];

describe("the default job's learned knowledge", () => {
  let dir: string;
  let inspect: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "jotty-default-job-"));
    const trained = await cli("train", "--config", "configs/default.json", "--output", dir);
    expect(trained.code, trained.stderr).toBe(0);
    const shown = await cli("inspect", dir);
    expect(shown.code, shown.stderr).toBe(0);
    inspect = shown.stdout;
  }, 300_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("lists the four house rules as the top lessons, with their evidence, and no AVOID of a correct rule", () => {
    const lines = inspect.split("\n");
    const start = lines.findIndex((line) => line.startsWith("lessons: "));
    const end = lines.findIndex((line, index) => index > start && !line.startsWith("  "));
    const lessons = lines.slice(start + 1, end);
    for (const rule of HOUSE_RULES) expect(lessons.slice(0, 5).some((line) => line.includes(rule)), `${rule} in\n${lessons.join("\n")}`).toBe(true);
    for (const line of lessons) expect(line).toMatch(/ — .+: \d+\/\d+ right/);
    for (const option of CORRECT) expect(inspect).not.toContain(`AVOID "${option}"`);
  });

  it("fills the procedural and causal levels, and no memory is {} or empty", async () => {
    const shared = /memory shared: (.*)/.exec(inspect)?.[1] ?? "";
    expect(Number(/procedural (\d+)/.exec(shared)?.[1])).toBeGreaterThan(0);
    expect(Number(/causal (\d+)/.exec(shared)?.[1])).toBeGreaterThan(0);
    const vault = await Vault.open({ dir });
    const loaded = await vault.loadLatest();
    const state = loaded?.state;
    // The Vault writes memories as columns; parseMemorySnapshot reads them back as rows.
    const snapshots = [state?.sharedMemory, ...Object.values(state?.localMemories ?? {})].filter((snapshot) => snapshot !== undefined).map((snapshot) => parseMemorySnapshot(snapshot));
    const contents = snapshots.flatMap((snapshot) => snapshot.entries).map((entry) => entry.content.trim());
    expect(contents.length).toBeGreaterThan(0);
    for (const content of contents) expect(["", "{}"]).not.toContain(content);
    // Meta memories are statements, never bags of words.
    const meta = snapshots.flatMap((snapshot) => snapshot.entries).filter((entry) => entry.level === "meta");
    for (const entry of meta) expect(entry.content).toMatch(/decides \d+%|not explained yet/);
  });
});
