/**
 * What the Conductor costs per step: a Conductor episode (recall, plan, act, observe, learn,
 * finish, with 0, 1k and 10k memories in its shared memory) against bare LangGraph graphs
 * running the same actor function and environment, per environment step:
 * - like for like: the Conductor's six nodes and edges, routed as the Conductor routes them
 *   (plan and learn name the next node in a `Command`), the actor and environment in `act`
 *   and `observe`, the other nodes empty — what Jotty's memory and learning add;
 * - like for like with the Conductor's state: the same, over the Conductor's episode state
 *   schema (its ~37 channels, each set at the start as the Conductor sets them) — what
 *   LangGraph charges for the state alone, apart from anything Jotty's nodes do;
 * - minimal: two nodes (act → environment) — what the six-node structure costs on top.
 *
 * Each measurement is repeated (`--repeats`, interleaved so that machine noise hits all three
 * alike) and the median is reported.
 *
 * Usage: npm run bench:overhead -- [--memories 0,1000,10000] [--episodes 30] [--repeats 5] [--out outputs/benchmarks]
 */
import { parseArgs } from "node:util";
import { Annotation, Command, END, START, StateGraph } from "@langchain/langgraph";
import {
  ActorMemory,
  CliffWalking,
  Conductor,
  HashingEmbedder,
  HierarchicalMemory,
  MEMORY_LEVELS,
  PolicyActor,
  QPredictor,
  Rng,
  type MemoryEntry,
} from "../src/index.js";
import { EpisodeState, episodeInput } from "../src/orchestration/episode-state.js";
import { printTable, writeResult } from "./report.js";
import { median, syntheticSnapshot, vocabulary } from "./synthetic.js";

const { values } = parseArgs({
  options: {
    memories: { type: "string", default: "0,1000,10000" },
    episodes: { type: "string", default: "30" },
    repeats: { type: "string", default: "5" },
    out: { type: "string", default: "outputs/benchmarks" },
  },
});
const sizes = values.memories.split(",").map(Number);
const episodes = Number(values.episodes);
const repeats = Number(values.repeats);
if (sizes.some((size) => !Number.isInteger(size) || size < 0) || ![episodes, repeats].every((count) => Number.isInteger(count) && count >= 1)) {
  process.stderr.write("error: --memories takes whole numbers, --episodes and --repeats positive ones\n");
  process.exit(2);
}

const MAX_STEPS = 60;
const embedder = new HashingEmbedder();
const learning = { alpha: 0.5, gamma: 1, epsilon: { kind: "constant", value: 0.1 } } as const;

/** The same actor and environment in a graph with no memory, planning or learning. */
async function bareStepMs(shape: "like-for-like" | "conductor-state" | "minimal"): Promise<number> {
  const q = new QPredictor({ alpha: 0.5, gamma: 1, embedder, epsilon: learning.epsilon });
  const actor = new PolicyActor({ name: "walker" });
  const environment = new CliffWalking({ maxSteps: MAX_STEPS });
  const rng = new Rng(3);
  const memory = new HierarchicalMemory({ embedder });
  const own = {
    observation: Annotation<string>,
    actions: Annotation<string[]>,
    action: Annotation<string>,
    step: Annotation<number>,
    done: Annotation<boolean>,
  };
  // Only the typing of the five fields is read below; the wider schema just adds channels.
  const State = Annotation.Root(shape === "conductor-state" ? { ...EpisodeState.spec, ...own } : own);
  const act = async (state: typeof State.State) => {
      const decision = await actor.act({
        goal: environment.description,
        observation: state.observation,
        actions: state.actions,
        step: state.step,
        episode: 0,
        learnedContext: "",
        localMemories: [],
        localMemory: memory,
        memory: new ActorMemory(actor.name, memory, memory),
        q,
        mode: "learner",
        rng,
        explore: true,
      });
      return { action: decision.action };
  };
  const observe = async (state: typeof State.State) => {
    const next = environment.step(state.action);
    return { observation: next.observation, actions: next.actions, done: next.done, step: state.step + 1 };
  };
  const empty = async () => ({});
  const graph =
    shape === "minimal"
      ? new StateGraph(State)
          .addNode("act", act)
          .addNode("observe", observe)
          .addEdge(START, "act")
          .addEdge("act", "observe")
          .addConditionalEdges("observe", (state) => (state.done ? END : "act"), ["act", END])
          .compile()
      : new StateGraph(State)
          .addNode("recall", empty)
          .addNode("plan", async () => new Command({ goto: "act" }), { ends: ["act", "finish"] })
          .addNode("act", act)
          .addNode("observe", observe)
          .addNode("learn", async (state: typeof State.State) => new Command({ goto: state.done ? "finish" : "plan" }), { ends: ["plan", "finish"] })
          .addNode("finish", empty)
          .addEdge(START, "recall")
          .addEdge("recall", "plan")
          .addEdge("act", "observe")
          .addEdge("observe", "learn")
          .addEdge("finish", END)
          .compile();
  // The Conductor starts an episode with every channel of its state set; so does this graph.
  const fields = (start: { observation: string; actions: string[]; info: Record<string, unknown> }) =>
    shape === "conductor-state" ? episodeInput({ episode: 0, goal: environment.description, taskType: "", start, rng: rng.state(), todoState: { schemaVersion: 1, round: 0, items: [], totals: {} }, environmentState: null }) : {};
  let steps = 0;
  const begin = performance.now();
  for (let episode = 0; episode < episodes; episode += 1) {
    const start = environment.reset(rng);
    const final = await graph.invoke({ ...fields(start), ...start, action: "", step: 0, done: false }, { recursionLimit: MAX_STEPS * 5 + 20 });
    steps += final.step;
  }
  return (performance.now() - begin) / steps;
}

async function conductorStepMs(memories: number): Promise<{ perStep: number; steps: number }> {
  const conductor = await Conductor.create({
    config: {
      learningMode: "contextual",
      seed: 3,
      environment: { name: "cliff-walking", options: { maxSteps: MAX_STEPS } },
      learning,
      training: { maxStepsPerEpisode: MAX_STEPS },
      memory: { capacities: { episodic: memories + 1000, semantic: memories + 1000, procedural: memories + 1000, meta: memories + 1000, causal: memories + 1000 } },
    },
    embedder,
  });
  if (memories > 0) {
    const rng = new Rng(memories);
    const snapshot = syntheticSnapshot(rng, vocabulary(rng, 5000), memories);
    for (const entry of snapshot.entries) (entry as MemoryEntry).level = MEMORY_LEVELS[0] as MemoryEntry["level"];
    // A memory in its steady state: the run that saved it has consolidated what it held.
    snapshot.lastConsolidation = Math.max(...snapshot.entries.map((entry) => entry.createdAt)) + 1;
    const filled = await HierarchicalMemory.restore(snapshot, { embedder, settings: conductor.config.memory, name: "shared" });
    (conductor as unknown as { sharedMemory: HierarchicalMemory }).sharedMemory = filled;
    conductor.learner.attach(filled);
  }
  let steps = 0;
  const begin = performance.now();
  for (let episode = 0; episode < episodes; episode += 1) steps += (await conductor.run()).steps;
  return { perStep: (performance.now() - begin) / steps, steps };
}

const rows: Array<Record<string, number>> = [];
const started = performance.now();
await bareStepMs("like-for-like"); // warm up the JIT on every path
await bareStepMs("minimal");
await bareStepMs("conductor-state");
await conductorStepMs(0);
for (const size of sizes) {
  const samples = { like: [] as number[], state: [] as number[], minimal: [] as number[], conductor: [] as number[] };
  for (let repeat = 0; repeat < repeats; repeat += 1) {
    samples.like.push(await bareStepMs("like-for-like"));
    samples.state.push(await bareStepMs("conductor-state"));
    samples.minimal.push(await bareStepMs("minimal"));
    samples.conductor.push((await conductorStepMs(size)).perStep);
  }
  const like = median(samples.like);
  const withState = median(samples.state);
  const minimal = median(samples.minimal);
  const perStep = median(samples.conductor);
  rows.push({
    memories: size,
    conductorMsPerStep: Number(perStep.toFixed(3)),
    likeForLikeMsPerStep: Number(like.toFixed(3)),
    ratio: Number((perStep / like).toFixed(2)),
    conductorStateMsPerStep: Number(withState.toFixed(3)),
    ratioToConductorState: Number((perStep / withState).toFixed(2)),
    minimalMsPerStep: Number(minimal.toFixed(3)),
    ratioToMinimal: Number((perStep / minimal).toFixed(2)),
  });
  process.stdout.write(`measured ${size} memories\n`);
}
printTable(
  ["memories", "Conductor ms/step", "bare (same 6 nodes) ms/step", "ratio", "bare (6 nodes, Conductor's state) ms/step", "ratio", "bare (2 nodes) ms/step", "ratio"],
  rows.map((row) => [
    String(row.memories),
    String(row.conductorMsPerStep),
    String(row.likeForLikeMsPerStep),
    `${row.ratio}×`,
    String(row.conductorStateMsPerStep),
    `${row.ratioToConductorState}×`,
    String(row.minimalMsPerStep),
    `${row.ratioToMinimal}×`,
  ]),
);
await writeResult(values.out, "conductor-overhead", {
  description:
    "Median over repeats of milliseconds per environment step of a CONTEXTUAL Conductor episode (one PolicyActor on cliff walking, memories preloaded in the shared memory, consolidated) against bare LangGraph graphs running the same PolicyActor and environment: the Conductor's six-node shape with empty recall/plan/learn/finish, the same over the Conductor's episode state schema, and a minimal act → environment loop",
  settings: { memories: sizes, episodes, repeats, maxSteps: MAX_STEPS },
  durationMs: Math.round(performance.now() - started),
  rows,
});
