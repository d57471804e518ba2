/**
 * The hierarchical memory learning which of two habits pays off, then distilling what it saw.
 * Run: npm run example:memory
 */
import { HierarchicalMemory, MemoryLearner } from "../src/index.js";

const goal = "report daily revenue";
const memory = new HierarchicalMemory();
const learner = new MemoryLearner({ alpha: 0.1 });
learner.attach(memory); // every retrieval during an episode is traced

const good = await memory.store({ level: "episodic", kind: "success", content: "Filtered on dt and counted only settled payments", goal });
const bad = await memory.store({ level: "episodic", kind: "failure", content: "Filtered on ts and counted pending payments too", goal });

for (let episode = 0; episode < 30; episode += 1) {
  await learner.startEpisode({ goal, taskType: "revenue" });
  const usesGood = episode % 2 === 0;
  await memory.retrieve({ goal, query: usesGood ? "dt settled" : "ts pending", k: 1 });
  await learner.endEpisode({ reward: usesGood ? 1 : 0 });
}

console.log(`value of "${memory.get(good.id)?.content}": ${(await memory.value(good.id, goal)).toFixed(2)}`);
console.log(`value of "${memory.get(bad.id)?.content}": ${(await memory.value(bad.id, goal)).toFixed(2)}`);
console.log(`…for a goal never seen, "what was revenue per day": ${(await memory.value(good.id, "what was revenue per day")).toFixed(2)}`);

for (const [index, region] of ["Germany", "France", "Spain", "Italy", "Poland"].entries()) {
  await memory.store({
    level: "episodic",
    kind: "success",
    content: `Revenue for ${region} in week ${index + 1}: summed settled amount_cents filtered on dt`,
    goal,
    value: 0.8,
  });
}
const report = await memory.consolidate();
console.log(`\nconsolidated: ${report.patterns.length} pattern(s), ${report.procedures.length} procedure(s), ${report.meta.length} meta`);
console.log(`\nlearned context for the prompt:\n${await memory.getConsolidatedKnowledge({ goal, maxItems: 5 })}`);
