import { execFile } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import fs from "fs-extra";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configJsonSchema } from "../../src/index.js";
import { runCli } from "../../src/cli/index.js";

const run = promisify(execFile);
let folder: string;

beforeAll(async () => {
  folder = await fs.mkdtemp(path.join(os.tmpdir(), "jotty-cli-"));
});

afterAll(async () => {
  await fs.remove(folder);
});

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) });
  return { code, stdout, stderr };
}

describe("jotty config", () => {
  it("schema prints the JSON Schema, or writes it to a file", async () => {
    const printed = await cli("config", "schema");
    expect(printed.code).toBe(0);
    expect(JSON.parse(printed.stdout)).toEqual(configJsonSchema());
    const out = path.join(folder, "schema", "jotty.schema.json");
    expect((await cli("config", "schema", "--out", out)).code).toBe(0);
    expect(await fs.readJson(out)).toEqual(configJsonSchema());
  });

  it("validate exits 0 on a good config", async () => {
    const result = await cli("config", "validate", "configs/default.json");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("is a valid Jotty config: learning mode persistent, environment sql-analyst, 3 actors");
  });

  it("validate exits 2 with every problem and no stack trace on a bad config", async () => {
    const file = path.join(folder, "bad.json");
    await fs.writeJson(file, { learningMode: "forever", learning: { gamma: 2 }, actors: [{ name: "Planner" }] });
    const result = await cli("config", "validate", file);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("3 problems");
    expect(result.stderr).toContain("learningMode:");
    expect(result.stderr).toContain("learning.gamma:");
    expect(result.stderr).toContain("actors[0].name:");
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("validate exits 2 on an unknown environment or a missing file", async () => {
    const file = path.join(folder, "unknown-env.json");
    await fs.writeJson(file, { environment: { name: "maze" } });
    const unknown = await cli("config", "validate", file);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('No environment named "maze"');
    const missing = await cli("config", "validate", path.join(folder, "nope.json"));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("no such file");
  });

  it("an unknown command exits 2 with a pointer to help", async () => {
    const result = await cli("fly");
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown command 'fly'");
  });
});

describe("the jotty binary", () => {
  it("runs from a clean checkout through bin/jotty.js", async () => {
    const { stdout } = await run(process.execPath, ["bin/jotty.js", "config", "validate", "configs/bandit.json"]);
    expect(stdout).toContain("environment bandit");
    await expect(run(process.execPath, ["bin/jotty.js", "config", "validate", "nope.json"])).rejects.toMatchObject({
      code: 2,
    });
  });
});
