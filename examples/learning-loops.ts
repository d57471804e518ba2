/**
 * The learning-loop API on its own: record attempts, reflect, curate a playbook, take
 * feedback, and let a known solution rescue a failing task. Run: npx tsx examples/learning-loops.ts
 */
import { Experience } from "../src/index.js";

const experience = new Experience();

for (const [task, good] of [["daily settled revenue", true], ["weekly settled revenue", true], ["daily revenue", false]] as const) {
  const id = experience.startTrajectory({ task, taskType: "sql", agentId: "analyst" });
  experience.logStep(id, { type: "action", description: good ? "filter on dt" : "filter on ts", result: "ok", tool: "sql" });
  experience.logStep(id, { type: "action", description: good ? "count only settled rows" : "count every row", result: good ? "ok" : "error: totals do not match the dashboard" });
  experience.completeTrajectory(id, { status: good ? "success" : "failure" });
  await experience.curateFrom(id, { playbook: "analysts" });
}
const playbook = experience.playbooks.get("analysts");
console.log(`playbook "analysts" v${playbook.version}:`);
for (const strategy of playbook.strategies) console.log(`  ${strategy.type.padEnd(7)} ${strategy.description} (seen ${strategy.helpfulCount + strategy.harmfulCount}×)`);

const [first] = experience.queryTrajectories({ status: "success" });
experience.addFeedback(first?.id as string, { type: "production", score: 0.1, source: "dashboard", message: "numbers were off" });
console.log(`\nrelearning queue: ${experience.relearningQueue().map((item) => `${item.id} (priority ${item.priority})`).join(", ")}`);

experience.recordErrorSolution({ errorType: "ETIMEDOUT", message: "query timed out", approach: "add a partition filter on dt" });
const outcome = await experience.executeWithLearning({
  task: "monthly revenue",
  taskType: "sql",
  agentId: "analyst",
  playbook: "analysts",
  fn: async ({ solution }) => {
    if (solution === undefined) throw Object.assign(new Error("query timed out after 30 s"), { code: "ETIMEDOUT" });
    return `ran with: ${solution.approach}`;
  },
});
console.log(`\nexecuteWithLearning: ${outcome.status}, ${outcome.result}`);
console.log(`trends: ${JSON.stringify(experience.trends())}`);
