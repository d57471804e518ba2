// The CLI's side of keeping learned state and refusing bad input (issue 13); each test fails on the CLI before the fix.
import { spawn } from "node:child_process";
import { promises as fsp } from "node:fs";
import os from "node:os";
import path from "node:path";
import fs from "fs-extra";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Vault } from "../../src/index.js";
import { cli } from "../support/cli.js";

let dir: string;
let base: Record<string, unknown>;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "jotty-cli-reliability-"));
  base = { ...(await fs.readJson(path.resolve("configs/default.json"))), $schema: undefined };
});

afterAll(async () => {
  await fs.remove(dir);
});

async function configFile(name: string, overrides: Record<string, unknown>): Promise<string> {
  const file = path.join(dir, `${name}.json`);
  await fs.writeJson(file, { ...base, outputDir: path.join(dir, name), ...overrides });
  return file;
}

describe("jotty train keeps what it learned", () => {
  it("saves every training.saveEvery episodes (2)", async () => {
    const config = await configFile("every", { training: { episodes: 20, maxStepsPerEpisode: 20, saveEvery: 5 } });
    const result = await cli("train", "--config", config);
    expect(result.code).toBe(0);
    expect(result.stdout.match(/saved after episode (\d+)/g)).toEqual(["saved after episode 5", "saved after episode 10", "saved after episode 15", "saved after episode 20"]);
    expect(await (await Vault.open({ dir: path.join(dir, "every") })).runs()).toHaveLength(4);
  });

  it("reads on past a damaged manifest, saying so on stderr, in inspect, report, --metrics and train (4, 15, 19)", async () => {
    const config = await configFile("damaged", { training: { episodes: 4, maxStepsPerEpisode: 20, saveEvery: 2 } });
    expect((await cli("train", "--config", config)).code).toBe(0);
    const folder = path.join(dir, "damaged");
    const [newest, older] = (await (await Vault.open({ dir: folder })).runs()).map((run) => run.name);
    await fsp.writeFile(path.join(folder, newest as string, "jotty_state/manifest.json"), Buffer.from([0x93, 0x17, 0xfe, 0x00, 0x22]));
    for (const argv of [["inspect", folder], ["report", folder], ["inspect", folder, "--metrics"]]) {
      const result = await cli(...argv);
      expect(result.code, argv.join(" ")).toBe(0);
      expect(result.stderr).toMatch(new RegExp(`warning: Skipped ${newest}: jotty_state/manifest.json is not valid JSON`));
    }
    expect((await cli("inspect", folder)).stdout).toContain(`newest complete run: ${older}`);
    const again = await cli("train", "--config", config);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`loaded state from ${older}`);
  });

  it("lives through a closed pipe (`--json | head -1`) and saves the run (20)", async () => {
    const config = await configFile("piped", { training: { episodes: 3, maxStepsPerEpisode: 20, saveEvery: 100 } });
    const child = spawn(process.execPath, ["bin/jotty.js", "train", "--config", config, "--runs", "3", "--json"], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.once("data", () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(stderr).not.toMatch(/EPIPE|Error/);
    expect(code).toBe(0);
    expect((await (await Vault.open({ dir: path.join(dir, "piped") })).loadLatest())?.state.brainState?.conductor).toMatchObject({ episodes: expect.any(Number) });
  });
});

describe("bad input is refused clearly, before anything runs (14, 20)", () => {
  it("config validate refuses a dependency cycle, as train does", async () => {
    const actors = [
      { name: "a", capabilities: ["schema"], dependsOn: ["b"] },
      { name: "b", capabilities: ["query"], dependsOn: ["a"] },
    ];
    const result = await cli("config", "validate", await configFile("cycle", { actors }));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/actors.*depend on each other in a cycle/);
  });

  it("names an impossible date, a task count too large, and Infinity", async () => {
    const date = await cli("config", "validate", await configFile("date", { environment: { name: "sql-analyst", options: { today: "2026-13-45" } } }));
    expect(date.code).toBe(2);
    expect(date.stderr).toMatch(/today: must be a date that exists/);
    const many = await cli("config", "validate", await configFile("many", { environment: { name: "sql-analyst", options: { tasksPerTemplate: 1_000_000 } } }));
    expect(many.code).toBe(2);
    expect(many.stderr).toMatch(/tasksPerTemplate: .*20/);
    const yaml = path.join(dir, "infinite.yaml");
    await fsp.writeFile(yaml, "learning:\n  alpha: .inf\n");
    const infinite = await cli("config", "validate", yaml);
    expect(infinite.code).toBe(2);
    expect(infinite.stderr).toContain("(got Infinity)");
  });

  it("refuses --output naming a file", async () => {
    const file = path.join(dir, "a-file");
    await fsp.writeFile(file, "not a folder");
    for (const argv of [["train", "--config", await configFile("out", {}), "--output", file, "--episodes", "1"], ["benchmark", "modes", "--output", file, "--runs", "1", "--seeds", "1", "--episodes", "1"]]) {
      const result = await cli(...argv);
      expect(result.code, argv.join(" ")).toBe(2);
      expect(result.stderr).toMatch(/--output names .*a-file, which is a file; name a folder/);
    }
  });

  it("refuses a tasks file with a repeated id or gold SQL that writes", async () => {
    const intent = { aggregate: "count", period: { label: "yesterday", from: "2026-03-14", to: "2026-03-14" } };
    const tasks = path.join(dir, "tasks.jsonl");
    const line = (id: string, goldSql: string) => JSON.stringify({ id, question: `Question ${id}?`, intent, goldSql });
    await fsp.writeFile(tasks, [line("one", "SELECT COUNT(*) FROM transactions"), line("one", "SELECT 1")].join("\n"));
    const repeated = await cli("train", "--config", await configFile("tasks", {}), "--tasks", tasks, "--episodes", "1");
    expect(repeated.code).toBe(2);
    expect(repeated.stderr).toMatch(/repeats the id "one"/);
    await fsp.writeFile(tasks, [line("one", "SELECT COUNT(*) FROM transactions WHERE status <> 'x;y'"), line("two", "WITH doomed AS (SELECT 1) DELETE FROM transactions")].join("\n"));
    const writes = await cli("train", "--config", await configFile("tasks", {}), "--tasks", tasks, "--episodes", "1");
    expect(writes.code).toBe(2);
    expect(writes.stderr).toMatch(/1 task's gold SQL fails/);
    expect(writes.stderr).toMatch(/"Question two\?": the statement writes/);
  });
});
