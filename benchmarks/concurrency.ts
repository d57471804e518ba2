/**
 * Where a model-bound team's time goes, and what `train({ concurrency })` gives back: an LLM
 * actor whose model answers after `--latency` milliseconds (50 by default) trains the same
 * episodes one at a time and several at once, and the wall-clock time of each is compared.
 *
 * Usage: npm run bench:concurrency -- [--episodes 16] [--concurrency 1,2,4,8] [--latency 50] [--out outputs/benchmarks]
 */
import { parseArgs } from "node:util";
import type { BaseMessage } from "@langchain/core/messages";
import { AIMessage } from "@langchain/core/messages";
import type { ChatResult } from "@langchain/core/outputs";
import { FakeListChatModel } from "@langchain/core/utils/testing";
import { Conductor } from "../src/index.js";
import { printTable, writeResult } from "./report.js";

const { values } = parseArgs({
  options: {
    episodes: { type: "string", default: "16" },
    concurrency: { type: "string", default: "1,2,4,8" },
    latency: { type: "string", default: "50" },
    out: { type: "string", default: "outputs/benchmarks" },
  },
});
const episodes = Number(values.episodes);
const levels = values.concurrency.split(",").map(Number);
const latency = Number(values.latency);
if (!Number.isInteger(episodes) || episodes < 1 || levels.some((level) => !Number.isInteger(level) || level < 1) || !(latency >= 0)) {
  process.stderr.write("error: --episodes and --concurrency take positive whole numbers, --latency milliseconds\n");
  process.exit(2);
}

/** A chat model that answers after a delay, with the first candidate action of the prompt. */
class SlowModel extends FakeListChatModel {
  calls = 0;
  constructor(private readonly delayMs: number) {
    super({ responses: ["unused"] });
  }
  override async _generate(messages: BaseMessage[]): Promise<ChatResult> {
    this.calls += 1;
    await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    const text = messages.map((message) => String(message.content)).join("\n");
    const action = /Candidate actions:\n- (.+)/.exec(text)?.[1] ?? "";
    const answer = JSON.stringify({ reasoning: "the first candidate", action });
    return { generations: [{ text: answer, message: new AIMessage(answer) }] };
  }
}

async function trainAt(concurrency: number): Promise<{ seconds: number; calls: number; successes: number }> {
  const model = new SlowModel(latency);
  const conductor = await Conductor.create({
    config: {
      learningMode: "contextual",
      seed: 1,
      environment: { name: "bandit", options: { arms: 4, horizon: 5 } },
      actors: [{ name: "chooser", kind: "llm" }],
      conductor: { executionModes: { enabled: false } },
    },
    llm: model,
  });
  const started = performance.now();
  const results = await conductor.train({ episodes, concurrency });
  const seconds = (performance.now() - started) / 1000;
  await conductor.close();
  return { seconds, calls: model.calls, successes: results.filter((result) => result.success).length };
}

const started = performance.now();
await trainAt(1); // warm up
const rows: Array<Record<string, number>> = [];
let base: number | undefined;
for (const concurrency of levels) {
  const { seconds, calls, successes } = await trainAt(concurrency);
  base ??= seconds;
  rows.push({ concurrency, seconds: Number(seconds.toFixed(2)), episodesPerSecond: Number((episodes / seconds).toFixed(2)), speedUp: Number((base / seconds).toFixed(2)), modelCalls: calls, successes });
}
printTable(
  ["concurrency", "seconds", "episodes/s", "speed-up", "model calls"],
  rows.map((row) => [String(row.concurrency), String(row.seconds), String(row.episodesPerSecond), `${row.speedUp}×`, String(row.modelCalls)]),
);
await writeResult(values.out, "concurrency", {
  description: `Wall-clock time of a CONTEXTUAL Conductor training ${episodes} bandit episodes (5 pulls each) with one LLM actor whose model answers after ${latency} ms, at each concurrency; speed-up against the first level`,
  settings: { episodes, concurrency: levels, latencyMs: latency },
  durationMs: Math.round(performance.now() - started),
  rows,
});
