import { execFile } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { Annotation, END, START, StateGraph } from "@langchain/langgraph";
import fs from "fs-extra";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GraphLearning, JottyError, LearningAnnotation, type JottyConfigInput } from "../../src/index.js";

const run = promisify(execFile);
let dir: string;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "jotty-graph-learning-"));
});

afterEach(async () => {
  await fs.remove(dir);
});

const State = Annotation.Root({ ...LearningAnnotation, request: Annotation<string>, tool: Annotation<string>, success: Annotation<boolean> });
const RIGHT: Record<string, string> = { "convert 50 euros to yen": "currency", "will it rain in Oslo": "weather" };

async function toolGraph(config: JottyConfigInput) {
  const learning = await GraphLearning.create({ config: { outputDir: dir, seed: 2, ...config } });
  const nodes = learning.nodesFor(State);
  const graph = new StateGraph(State)
    .addNode("recall", nodes.recall({ goal: (state) => state.request }))
    .addNode("agent", async (state) => {
      const { action, update } = await learning.decide({ situation: state.request, options: ["weather", "currency", "calendar"] });
      return { tool: action, ...update };
    })
    .addNode("tools", async (state) => ({ success: RIGHT[state.request] === state.tool }))
    .addNode("learn", nodes.learn())
    .addEdge(START, "recall")
    .addEdge("recall", "agent")
    .addEdge("agent", "tools")
    .addEdge("tools", "learn")
    .addEdge("learn", END)
    .compile({ store: learning.store });
  return { learning, graph };
}

describe("GraphLearning in a graph of your own", () => {
  it("learns the right decision from outcomes and shows what worked in the learned context", async () => {
    const { learning, graph } = await toolGraph({ learningMode: "contextual" });
    for (let episode = 0; episode < 30; episode += 1) await graph.invoke({ request: "convert 50 euros to yen" });
    const values = await learning.q.predictMany({ state: "convert 50 euros to yen", actions: ["weather", "currency", "calendar"] });
    const best = values.reduce((top, prediction) => (prediction.q > top.q ? prediction : top));
    expect(best.action).toBe("currency");
    expect(learning.stats().episodes).toBe(30);
    const final = await graph.invoke({ request: "convert 50 euros to yen" });
    expect(final.learnedContext).toContain("currency worked");
    expect(final.learning.recalled.length).toBeGreaterThan(0);
    // The memory that worked is valued above the start value of a success, by TD(λ).
    const recalled = await learning.memory.retrieve({ goal: "convert 50 euros to yen", k: 5 });
    const worked = recalled.find((memory) => memory.content.includes("currency worked"));
    expect(worked?.learned ?? 0).toBeGreaterThan(0);
    // Any node reaches the memory through LangGraph's store.
    const hits = await learning.store.search(["episodic"], { query: "euros to yen", limit: 3 });
    expect(hits.some((hit) => String(hit.value.content).includes("currency"))).toBe(true);
    await learning.close();
  });

  it("learns nothing in DISABLED mode, counts a run that recalled and never learned, and refuses bad input", async () => {
    const disabled = await toolGraph({ learningMode: "disabled" });
    for (let episode = 0; episode < 5; episode += 1) await disabled.graph.invoke({ request: "will it rain in Oslo" });
    expect(disabled.learning.q.size).toBe(0);
    expect(disabled.learning.memory.size()).toBe(0);
    expect(disabled.learning.stats().episodes).toBe(0);

    const { learning } = await toolGraph({ learningMode: "contextual" });
    const recall = learning.nodesFor(State).recall({ goal: (state) => state.request });
    const state = { request: "will it rain in Oslo", learnedContext: "", learning: { goal: "", taskType: "general", recalled: [], decisions: [] } } as unknown as typeof State.State;
    await recall(state);
    await recall(state);
    expect(learning.stats().abandoned).toBe(1);
    await expect(recall({ ...state, request: "" })).rejects.toBeInstanceOf(JottyError);
    await expect(learning.decide({ situation: "x", options: [] })).rejects.toMatchObject({ code: "invalid_argument" });
  });

  it("runs the example in two processes, the second starting from what the first learned and doing better", async () => {
    const example = async () => (await run(process.execPath, ["--import", "tsx", "examples/your-own-graph.ts", dir, "60"], { timeout: 120_000 })).stdout;
    const rate = (stdout: string): number => Number(/success: (\d+)\/60/.exec(stdout)?.[1] ?? Number.NaN);
    const first = await example();
    const second = await example();
    expect(first).toContain("starting from nothing learned");
    expect(second).toMatch(/loaded run_\w+ \(60 runs learned\)/);
    expect(second).toContain("learned: 120 runs");
    // Chance is 1 in 4: without learning both runs stay near 15 of 60.
    expect(rate(second)).toBeGreaterThan(rate(first) + 6);
    expect(rate(second)).toBeGreaterThanOrEqual(36);
  }, 180_000);
});
