import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { trainRun, type RunReport } from "../../src/evaluation/index.js";
import { parseConfig } from "../../src/config/index.js";
import { parseMemorySnapshot } from "../../src/memory/index.js";
import { Vault } from "../../src/persistence/index.js";
import { cli } from "../support/cli.js";
import { ContextFollowerModel, followerAnswer, promptOf } from "../support/context-follower.js";
import { startOpenAICompatibleServer, type OpenAICompatibleServer } from "../support/openai-server.js";

const LLM_CONFIG = JSON.parse(readFileSync(path.join(import.meta.dirname, "../../configs/llm-openai.json"), "utf8")) as Record<string, unknown>;

async function threeRuns(mode: "persistent" | "disabled", outputDir: string): Promise<RunReport[]> {
  const config = parseConfig({ ...LLM_CONFIG, learningMode: mode, outputDir });
  const model = new ContextFollowerModel();
  const reports: RunReport[] = [];
  for (let run = 1; run <= 3; run += 1) reports.push(await trainRun({ config, run, episodes: 30, llm: model }));
  return reports;
}

describe("an LLM team that follows the learned context", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "jotty-llm-team-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("takes the obvious reading without learning, and the house rules once the context shows them", () => {
    const prompt = (learned: string) =>
      `Goal: q\n\nSituation: The question is about a date or a range of dates. Which column gives the date?\n\nCandidate actions:\n- filter dates on dt\n- filter dates on ts${learned}`;
    expect(followerAnswer(prompt("")).action).toBe("filter dates on ts");
    const rule = '\n\nWhat the team has learned:\n- USE "filter dates on dt" (not "filter dates on ts") when the question is about a date or a range of dates — filter dates on dt: 9/9 right; filter dates on ts: 0/5 right';
    expect(followerAnswer(prompt(rule)).action).toBe("filter dates on dt");
    // A rule about another situation is not followed.
    expect(followerAnswer(prompt(rule.replace("a date or a range of dates", "money"))).action).toBe("filter dates on ts");
  });

  it("reaches 90% held-out by run 3 with learning, while DISABLED stays at the naive rate, and calls per episode fall by 80%", async () => {
    const learned = await threeRuns("persistent", path.join(dir, "persistent"));
    const disabled = await threeRuns("disabled", path.join(dir, "disabled"));
    const line = (reports: RunReport[]) => reports.map((report) => `${report.heldOutSuccessRate.toFixed(2)} (${(report.llmCalls / report.episodes).toFixed(2)} calls/episode)`).join(", ");
    console.log(`held-out by run: learning ${line(learned)}; disabled ${line(disabled)}`);
    expect(learned[2]?.heldOutSuccessRate).toBeGreaterThanOrEqual(0.9);
    for (const report of disabled) expect(report.heldOutSuccessRate).toBeLessThanOrEqual(0.05);
    const perEpisode = (report: RunReport) => report.llmCalls / report.episodes;
    expect(perEpisode(learned[2] as RunReport)).toBeLessThanOrEqual(0.2 * perEpisode(learned[0] as RunReport));
    // Evaluation asks the model at every decision: its calls are reported apart.
    expect(learned[2]?.evaluationLlmCalls).toBeGreaterThan(0);
    // This model cannot summarise or reflect (it answers every prompt with an action): the
    // learning loops' answers fail, are counted, and after three in a row no loop asks again.
    for (const report of learned) {
      const loops = report.metrics.llm.learning;
      expect(report.learningLlmCalls).toBe(loops.calls);
      expect(loops.calls).toBeGreaterThan(0);
      expect(loops.calls).toBeLessThanOrEqual(3);
      expect(loops.failures).toBe(loops.calls);
      expect(loops.skipped).toBeGreaterThan(loops.calls);
    }
    // None of those answers became a memory.
    const loaded = await (await Vault.open({ dir: path.join(dir, "persistent") })).loadLatest();
    const snapshots = [loaded?.state.sharedMemory, ...Object.values(loaded?.state.localMemories ?? {})].filter((snapshot) => snapshot !== undefined).map((snapshot) => parseMemorySnapshot(snapshot));
    const contents = snapshots.flatMap((snapshot) => snapshot.entries).map((entry) => entry.content.trim());
    expect(contents.length).toBeGreaterThan(0);
    for (const content of contents) expect(content === "" || content.startsWith("{") || content.includes('"action"'), content).toBe(false);
  }, 300_000);

  it("does the same through ChatOpenAI against an OpenAI-compatible server, with jotty train --runs 3 --episodes 30", async () => {
    let server: OpenAICompatibleServer | undefined;
    try {
      server = await startOpenAICompatibleServer({ chat: (body) => JSON.stringify(followerAnswer(promptOf(body.messages as Array<{ content: unknown }>))) });
      const file = path.join(dir, "llm-local.json");
      const outputDir = path.join(dir, "through-openai");
      const llm = { ...(LLM_CONFIG.llm as object), baseURL: server.baseURL, maxRetries: 0 };
      await writeFile(file, JSON.stringify({ ...LLM_CONFIG, $schema: undefined, llm, outputDir }));
      const result = await cli("train", "--config", file, "--runs", "3", "--episodes", "30", "--json");
      expect(result.code, result.stderr).toBe(0);
      const reports = result.stdout.trim().split("\n").map((line) => JSON.parse(line) as RunReport);
      expect(reports).toHaveLength(3);
      expect(reports[2]?.heldOutSuccessRate).toBeGreaterThanOrEqual(0.9);
      expect(server.requests.filter((request) => request.path === "/v1/chat/completions").length).toBeGreaterThan(0);
    } finally {
      await server?.close();
    }
  }, 300_000);
});
