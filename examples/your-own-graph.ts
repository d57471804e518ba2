/**
 * Jotty's learning in a LangGraph graph of your own, without the Conductor: a recall node
 * before the agent, a learned decision inside it, a learn node after the tool ran. Run it
 * twice: the second process starts from what the first one learned.
 *
 * Run: npx tsx examples/your-own-graph.ts [outputDir] [episodes]
 */
import { Annotation, END, START, StateGraph } from "@langchain/langgraph";
import { GraphLearning, LearningAnnotation, Rng } from "../src/index.js";

const outputDir = process.argv[2] ?? "outputs/your-own-graph";
const episodes = Number(process.argv[3] ?? 60);

/** The requests the agent meets, each in a few wordings, and the tool that serves it. */
const REQUESTS: Array<{ tool: string; wordings: string[] }> = [
  { tool: "weather", wordings: ["will it rain in Oslo tomorrow", "forecast for Lyon this weekend", "how warm is it in Rome today"] },
  { tool: "calendar", wordings: ["book a meeting with Ana on Friday", "move my 3pm call to Monday", "what is on my agenda next week"] },
  { tool: "currency", wordings: ["convert 50 euros to yen", "how many dollars is 200 francs", "exchange rate of pounds to euros"] },
  { tool: "translate", wordings: ["say good morning in Finnish", "translate thank you into Greek", "what is cheese in Portuguese"] },
];
const TOOLS = REQUESTS.map((request) => request.tool);

// The learning fields spread into your own state.
const State = Annotation.Root({
  ...LearningAnnotation,
  request: Annotation<string>,
  tool: Annotation<string>,
  success: Annotation<boolean>,
});

const learning = await GraphLearning.create({
  config: { learningMode: "persistent", outputDir, seed: 7, training: { saveEvery: 20 } },
});

const nodes = learning.nodesFor(State);
const graph = new StateGraph(State)
  .addNode("recall", nodes.recall({ goal: (state) => state.request, taskType: "route a request" }))
  // Your agent. With a chat model it would put `state.learnedContext` in its prompt; here it
  // takes the learned decision among the tools.
  .addNode("agent", async (state) => {
    const { action, update } = await learning.decide({ situation: `Which tool serves: ${state.request}?`, options: TOOLS });
    return { tool: action, ...update };
  })
  .addNode("tools", async (state) => ({ success: REQUESTS.some((request) => request.tool === state.tool && request.wordings.includes(state.request)) }))
  .addNode("learn", nodes.learn({ outcome: (state) => ({ success: state.success }) }))
  .addEdge(START, "recall")
  .addEdge("recall", "agent")
  .addEdge("agent", "tools")
  .addEdge("tools", "learn")
  .addEdge("learn", END)
  .compile({ store: learning.store });

console.log(learning.loadedFrom === null ? "starting from nothing learned" : `loaded ${learning.loadedFrom} (${learning.stats().episodes} runs learned)`);
const rng = new Rng(learning.stats().episodes + 1);
let successes = 0;
let lastTen = 0;
for (let episode = 0; episode < episodes; episode += 1) {
  const request = rng.choice(REQUESTS);
  const final = await graph.invoke({ request: rng.choice(request.wordings) });
  if (final.success) successes += 1;
  if (final.success && episode >= episodes - 10) lastTen += 1;
}
await learning.close();
const stats = learning.stats();
console.log(`success: ${successes}/${episodes} (${Math.round((100 * successes) / episodes)}%), last 10: ${lastTen}/10`);
console.log(`learned: ${stats.episodes} runs, ${stats.memories} memories, ${stats.qEntries} Q entries`);
// Any node can read the memory through LangGraph's store API.
const hits = await learning.store.search(["episodic"], { query: "will it rain in Oslo tomorrow", limit: 1 });
console.log(`store search "will it rain in Oslo tomorrow": ${hits[0]?.value.content ?? "(nothing)"}`);
