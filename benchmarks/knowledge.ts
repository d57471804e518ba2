/**
 * Precision and recall of the lessons a team emits, against the SQL analyst's known rules (which
 * the environment exposes for scoring only, never to actors), per run, for the offline team
 * (configs/default.json) and for the LLM team (configs/llm-openai.json) with a scripted model
 * that follows the learned context.
 *
 * Usage: npm run bench:knowledge -- [--runs 3] [--episodes N (each config's own)] [--out outputs/benchmarks]
 */
import { promises as fsp } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { trainRun } from "../src/evaluation/index.js";
import { knownRules } from "../src/environments/index.js";
import { DecisionEvidence } from "../src/knowledge/index.js";
import { loadConfig, parseConfig, Vault } from "../src/index.js";
import { ContextFollowerModel } from "../test/support/context-follower.js";
import { printTable, writeResult } from "./report.js";

const { values } = parseArgs({
  options: { runs: { type: "string", default: "3" }, episodes: { type: "string" }, out: { type: "string", default: "outputs/benchmarks" } },
});
const runs = Number(values.runs);
/** Episodes a run; each config's own (`training.episodes`) by default. */
const episodes = values.episodes === undefined ? undefined : Number(values.episodes);
const rules = knownRules();
const started = performance.now();

interface Score {
  team: string;
  run: number;
  lessons: number;
  judged: number;
  correct: number;
  precision: number;
  recall: number;
  heldOut: number;
}

async function score(team: string, file: string, withModel: boolean): Promise<Score[]> {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), "jotty-knowledge-"));
  const config = parseConfig({ ...(await loadConfig(file)), learningMode: "persistent", outputDir: dir });
  const model = withModel ? new ContextFollowerModel() : undefined;
  const scores: Score[] = [];
  try {
    for (let run = 1; run <= runs; run += 1) {
      const report = await trainRun({ config, run, episodes: episodes ?? config.training.episodes, ...(model === undefined ? {} : { llm: model }) });
      const loaded = await (await Vault.open({ dir })).loadLatest();
      const evidence = new DecisionEvidence();
      evidence.restoreState((loaded?.state.brainState as Record<string, unknown>).decision_evidence);
      const lessons = evidence.knowledge().lessons;
      let judged = 0;
      let correct = 0;
      for (const lesson of lessons) {
        const known = rules.find((rule) => rule.decision === lesson.label && rule.situation === lesson.situation);
        if (known === undefined) continue;
        judged += 1;
        if (lesson.kind === "use" ? lesson.option === known.use : lesson.option !== known.use) correct += 1;
      }
      const house = rules.filter((rule) => rule.house);
      const found = house.filter((rule) => lessons.some((lesson) => lesson.kind === "use" && lesson.label === rule.decision && lesson.situation === rule.situation && lesson.option === rule.use));
      scores.push({ team, run, lessons: lessons.length, judged, correct, precision: judged === 0 ? 1 : correct / judged, recall: found.length / house.length, heldOut: report.heldOutSuccessRate });
    }
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
  return scores;
}

const results = [...(await score("offline (default.json)", "configs/default.json", false)), ...(await score("LLM, scripted follower (llm-openai.json)", "configs/llm-openai.json", true))];
printTable(
  ["team", "run", "lessons", "judged", "precision", "house-rule recall", "held-out"],
  results.map((item) => [item.team, String(item.run), String(item.lessons), String(item.judged), item.precision.toFixed(2), item.recall.toFixed(2), `${Math.round(item.heldOut * 100)}%`]),
);
await writeResult(values.out as string, "knowledge", {
  description: "precision of the emitted lessons against the known rules (judged lessons only) and recall of the five house-rule decisions, per run",
  settings: { runs, episodes: episodes ?? "each config's training.episodes" },
  durationMs: performance.now() - started,
  results,
});
