import { spawn } from "node:child_process";
import os from "node:os";
import path from "node:path";
import fs from "fs-extra";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { meanAndInterval } from "../../src/reporting/index.js";
import { trainRun } from "../../src/evaluation/index.js";
import { parseConfig } from "../../src/index.js";
import { cli } from "../support/cli.js";

let dir: string;
let config: string;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "jotty-train-"));
  const base = await fs.readJson(path.resolve("configs/default.json"));
  config = path.join(dir, "config.json");
  await fs.writeJson(config, { ...base, $schema: undefined, outputDir: path.join(dir, "outputs"), training: { ...base.training, episodes: 60 } });
});

afterAll(async () => {
  await fs.remove(dir);
});

describe("jotty train", () => {
  it("trains run after run, each starting from what the previous one saved", async () => {
    const result = await cli("train", "--config", config, "--runs", "2", "--json");
    expect(result.code).toBe(0);
    const [first, second] = result.stdout.trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(first).toMatchObject({ run: 1, mode: "persistent", loadedFrom: null, episodes: 60 });
    expect(Object.keys(first as object).sort()).toEqual(
      ["avgSteps", "episodes", "evaluationLlmCalls", "heldOutSuccessRate", "learningLlmCalls", "llmCalls", "loadedFrom", "memories", "metrics", "mode", "qEntries", "run", "savedTo", "successRate"].sort(),
    );
    // The second run's metrics: it loaded once, and the shared embedding cache served most lookups.
    const metrics = second?.metrics as { latency: { load: { count: number } }; cache: { hitRate: number } };
    expect(metrics.latency.load.count).toBe(1);
    expect(metrics.cache.hitRate).toBeGreaterThan(0.5);
    expect(second?.loadedFrom).toBe(path.basename(first?.savedTo as string));
    expect(second?.successRate as number).toBeGreaterThan((first?.successRate as number) + 0.15);
    expect(second?.heldOutSuccessRate as number).toBeGreaterThan(0.8);
  });

  it("says in plain words what it loaded and where it saved", async () => {
    const result = await cli("train", "--config", config, "--episodes", "10");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Run 1\/1 \(persistent, sql-analyst\): loaded state from run_\d{8}_\d{6}(_\d+)?: \d+ memories, \d+ Q entries/);
    expect(result.stdout).toMatch(/episode 10\/10: success so far \d+%/);
    expect(result.stdout).toMatch(/Run 1: success \d+% in training, \d+% on held-out tasks/);
    expect(result.stdout).toMatch(/saved to .*run_\d{8}_\d{6}/);
    const fresh = await cli("train", "--config", config, "--episodes", "5", "--mode", "contextual");
    expect(fresh.stdout).toContain("starting fresh");
    expect(fresh.stdout).toContain("not saved (contextual mode)");
  });

  it("inspects, reports and exports the learned state", async () => {
    const outputs = path.join(dir, "outputs");
    const inspect = await cli("inspect", outputs);
    expect(inspect.code).toBe(0);
    expect(inspect.stdout).toMatch(/newest complete run: run_/);
    expect(inspect.stdout).toMatch(/memory shared: episodic \d+/);
    expect(inspect.stdout).toMatch(/Q entries: \d+/);
    expect(inspect.stdout).toMatch(/lessons: \d+ from \d+ episodes at \d+ decision points/);
    expect(inspect.stdout).toMatch(/playbook team:sql-analyst-team v\d+: \d+ strategies/);
    const report = await cli("report", outputs);
    expect(report.code).toBe(0);
    expect(await fs.readFile(path.join(outputs, "report.html"), "utf8")).toContain("<svg");
    const jsonl = await cli("export", "trajectories", "--format", "openai-jsonl", outputs);
    const lines = jsonl.stdout.trim().split("\n");
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect((JSON.parse(line) as { messages: unknown[] }).messages).toHaveLength(3);
    const episodes = await cli("export", "trajectories", "--format", "episodes", outputs);
    expect((JSON.parse(episodes.stdout.trim().split("\n")[0] as string) as { transitions: unknown[] }).transitions.length).toBeGreaterThan(0);
  });

  it("answers bad input with one clear line and exit code 2", async () => {
    const cases: Array<[string[], RegExp]> = [
      [["train", "--frobnicate"], /unknown option '--frobnicate'/],
      [["train", "--config", path.join(dir, "missing.json")], /Cannot read config file .*missing\.json \(no such file\)/],
      [["train", "--config", config, "--mode", "sometimes"], /--mode is one of disabled, contextual, persistent/],
      [["train", "--config", config, "--tasks", path.join(dir, "nope.jsonl")], /Cannot read the tasks file/],
      [["train", "--config", config, "--runs", "0"], /--runs takes a positive whole number/],
      [["train", "--config", config, "--seed", "abc"], /--seed takes a non-negative whole number, got "abc"/],
      [["export", "trajectories", "--format", "csv", dir], /--format is openai-jsonl or episodes/],
      [["inspect", path.join(dir, "missing")], /There is no folder .*missing; name the output folder/],
    ];
    await fs.ensureDir(path.join(dir, "empty"));
    cases.push([["inspect", path.join(dir, "empty")], /holds no saved run yet/]);
    for (const [argv, message] of cases) {
      const result = await cli(...argv);
      expect(result.code, argv.join(" ")).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
    expect(await fs.pathExists(path.join(dir, "missing"))).toBe(false);
  });

  it("reads an encrypted folder only with the passphrase's variable", async () => {
    process.env.JOTTY_TEST_PASSPHRASE = "correct horse battery staple";
    try {
      const encrypted = path.join(dir, "encrypted");
      const secret = path.join(dir, "secret.json");
      await fs.writeJson(secret, { ...(await fs.readJson(config)), outputDir: encrypted, persistence: { encryptionKeyEnv: "JOTTY_TEST_PASSPHRASE" } });
      expect((await cli("train", "--config", secret, "--episodes", "3")).code).toBe(0);
      const blind = await cli("inspect", encrypted);
      expect(blind.code).toBe(2);
      expect(blind.stderr).toMatch(/The runs in .*encrypted are encrypted; pass --key-env with the environment variable holding the passphrase/);
      const keyed = await cli("inspect", encrypted, "--key-env", "JOTTY_TEST_PASSPHRASE");
      expect(keyed.code).toBe(0);
      expect(keyed.stdout).toMatch(/Q entries: \d+/);
      expect((await cli("export", "trajectories", encrypted, "--key-env", "JOTTY_TEST_PASSPHRASE")).code).toBe(0);
      expect((await cli("report", encrypted, "--key-env", "JOTTY_TEST_PASSPHRASE")).code).toBe(0);
      process.env.JOTTY_TEST_WRONG = "a different passphrase";
      expect((await cli("report", encrypted, "--key-env", "JOTTY_TEST_WRONG")).stderr).toMatch(/The passphrase in JOTTY_TEST_WRONG does not open the runs/);
      expect((await cli("inspect", encrypted, "--key-env", "JOTTY_UNSET_VARIABLE")).stderr).toMatch(/--key-env names JOTTY_UNSET_VARIABLE, but that environment variable is not set/);
    } finally {
      delete process.env.JOTTY_TEST_PASSPHRASE;
      delete process.env.JOTTY_TEST_WRONG;
    }
  });

  it("trains on tasks from a JSONL file", async () => {
    const tasks = path.join(dir, "tasks.jsonl");
    const task = {
      question: "How many refunds were settled yesterday?",
      intent: { aggregate: "count", category: "REFUND", period: { label: "yesterday", from: "2026-03-14", to: "2026-03-14" } },
      goldSql: "SELECT COUNT(*) AS value FROM transactions WHERE dt = '2026-03-14' AND category_code = 'REFUND' AND status = 'settled'",
    };
    await fs.writeFile(tasks, `${JSON.stringify(task)}\n${JSON.stringify({ ...task, heldOut: true })}\n`);
    const result = await cli("train", "--config", config, "--tasks", tasks, "--episodes", "5", "--mode", "contextual", "--json");
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout) as { episodes: number }).toMatchObject({ episodes: 5 });
    const broken = path.join(dir, "broken.jsonl");
    await fs.writeFile(broken, `${JSON.stringify(task)}\n${JSON.stringify({ ...task, question: "How much?", goldSql: "SELECT SUM(amount) FROM transactions" })}\n`);
    const refused = await cli("train", "--config", config, "--tasks", broken, "--episodes", "5", "--mode", "contextual");
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/1 task's gold SQL fails; fix the tasks:\n {2}- "How much\?": no such column: amount/);
  });
});

describe("jotty benchmark modes", () => {
  it("compares the modes on the same tasks and seeds, and writes the report", async () => {
    const output = path.join(dir, "bench");
    const result = await cli("benchmark", "modes", "--config", config, "--runs", "2", "--episodes", "60", "--seeds", "1", "--held-out", "12", "--evaluate-every", "20", "--output", output, "--json");
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as {
      modes: Array<{ mode: string; runs: Array<{ heldOutAtStart: number; heldOut: number }>; episodesToTarget: Array<number | null> }>;
      reference: { successRate: number; labelled: number } | null;
      gain: Array<{ run: number; mean: number }>;
    };
    const byMode = Object.fromEntries(summary.modes.map((entry) => [entry.mode, entry.runs]));
    expect(Object.keys(byMode)).toEqual(["persistent", "contextual", "disabled", "tabular"]);
    expect(byMode.persistent?.[1]?.heldOutAtStart).toBeGreaterThan((byMode.contextual?.[1]?.heldOutAtStart ?? 1) + 0.2);
    expect(byMode.disabled?.[1]?.heldOut).toBeLessThan(0.3);
    // The gain is PERSISTENT minus DISABLED, run by run.
    summary.gain.forEach((item, run) => expect(item.mean).toBeCloseTo((byMode.persistent?.[run]?.heldOut ?? 0) - (byMode.disabled?.[run]?.heldOut ?? 0), 6));
    // The supervised reference walked every training task along the answer key.
    expect(summary.reference?.labelled).toBeGreaterThan(500);
    expect(summary.reference?.successRate).toBeGreaterThan(0.5);
    // Held-out was measured every 20 episodes of a 60-episode run, so "episodes to 80%" is a multiple of 20 when reached.
    for (const entry of summary.modes) {
      expect(entry.episodesToTarget).toHaveLength(1);
      for (const episodes of entry.episodesToTarget) if (episodes !== null) expect(episodes % 20).toBe(0);
    }
    expect(summary.modes.find((entry) => entry.mode === "disabled")?.episodesToTarget).toEqual([null]);
    expect(await fs.readFile(path.join(output, "learning-modes.html"), "utf8")).toContain("<svg");
    expect(await fs.pathExists(path.join(output, "learning-modes.json"))).toBe(true);
  }, 180_000);

  it("stops after the current episode when asked, and still evaluates and saves", async () => {
    const stop = new AbortController();
    const report = await trainRun({
      config: parseConfig({ ...(await fs.readJson(config)), outputDir: path.join(dir, "stopped") }),
      run: 1,
      episodes: 60,
      onEpisode: (_result, index) => {
        if (index === 4) stop.abort();
      },
      signal: stop.signal,
    });
    expect(report.episodes).toBe(5);
    expect(report.curve).toHaveLength(5);
    expect(report.savedTo).toMatch(/^run_/);
  });

  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    it(`on ${signal}, finishes the episode, saves and says so`, async () => {
      const child = spawn(process.execPath, ["bin/jotty.js", "train", "--config", config, "--output", path.join(dir, "interrupted"), "--episodes", "1000"], { stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      let interrupted = false;
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
        if (!interrupted && stdout.includes("episode 10/1000")) interrupted = child.kill(signal);
      });
      const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
      expect(stderr).toContain(`${signal}: stopping after this episode and saving what was learned`);
      expect(stdout).toMatch(/Run 1 stopped after \d+ of 1000 episodes\./);
      expect(stdout).toMatch(/saved to .*interrupted.run_\d{8}_\d{6}/);
      expect(code).toBe(0);
    });
  }

  it("gives 95% intervals over seeds with Student's t", () => {
    // sd of [0, 1, 1] is 0.577; t(2) = 4.303; 4.303 · 0.577 / √3 = 1.434
    expect(meanAndInterval([0, 1, 1]).halfWidth).toBeCloseTo(1.434, 3);
    expect(meanAndInterval([0.5, 0.5]).halfWidth).toBe(0);
    expect(meanAndInterval([0.7])).toEqual({ mean: 0.7, halfWidth: 0 });
  });

  it("prunes the newest run's memories into a new run, audited; a dry run changes nothing", async () => {
    const outputs = path.join(dir, "outputs");
    const runsBefore = (await fs.readdir(outputs)).filter((name) => name.startsWith("run_")).length;
    const dry = await cli("prune", outputs, "--keep", "5", "--dry-run");
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/memory shared: \d+ would go, \d+ left/);
    expect(dry.stdout).toContain("dry run: nothing changed");
    expect((await fs.readdir(outputs)).filter((name) => name.startsWith("run_")).length).toBe(runsBefore);
    const done = await cli("prune", outputs, "--keep", "5");
    expect(done.code).toBe(0);
    expect(done.stdout).toMatch(/saved to .*run_\d{8}_\d{6}/);
    const inspect = await cli("inspect", outputs);
    // Meta memories are protected and stay; the other levels keep their five most valuable.
    const [, episodic, semantic] = /memory shared: episodic (\d+), semantic (\d+)/.exec(inspect.stdout) ?? [];
    expect(Number(episodic)).toBe(5);
    expect(Number(semantic)).toBeLessThanOrEqual(5);
    const lines = (await fs.readFile(path.join(outputs, "audit.jsonl"), "utf8")).trim().split("\n");
    expect((JSON.parse(lines.at(-1) as string) as { action: string }).action).toBe("prune");
    expect((await cli("audit", "verify", outputs)).code).toBe(0);
    const nothing = await cli("prune", outputs);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toMatch(/Say what to prune/);
    expect((await cli("prune", outputs, "--value-floor", "3")).stderr).toMatch(/--value-floor takes a number from 0 to 1/);
  });
});

