/**
 * A team of three policy actors learns the house rules of the SQL-analyst environment, then is
 * tested on questions worded as it never saw them. Run: npx tsx examples/quickstart.ts
 */
import { Conductor, SqlAnalyst } from "../src/index.js";

const environment = new SqlAnalyst();
const conductor = await Conductor.create({
  config: {
    learningMode: "contextual", // learn in memory only; "persistent" would save to outputs/ and reload next time
    seed: 1,
    environment: { name: "sql-analyst" },
    actors: [
      { name: "schema-scout", capabilities: ["schema"] },
      { name: "query-writer", capabilities: ["query"], dependsOn: ["schema-scout"] },
      { name: "auditor", capabilities: ["audit"], dependsOn: ["query-writer"] },
    ],
    learning: { alpha: 0.1, gamma: 0.8 },
    // The answer is only judged at the end: learn each decision from the return that followed (Monte-Carlo),
    // as a sample mean, and explore with UCB1 (fading with experience) so no reading is written off after a few unlucky tries.
    qPredictor: { method: "monte-carlo", stepSize: "average", similarity: false, policy: { kind: "ucb1", c: 0.5, decay: 0.985 } },
  },
  environment,
});

const heldOut = environment.tasks("heldOut").slice(0, 20).map((task) => ({ goal: task.question, task }));
console.log(`before training: ${Math.round((await conductor.evaluate({ tasks: heldOut })).successRate * 100)}% of held-out questions right`);

const training = environment.tasks("train");
for (let episode = 0; episode < 100; episode += 1) {
  const task = training[(episode * 37) % training.length] as (typeof training)[number];
  await conductor.run({ goal: task.question, task });
}
console.log(`after 100 episodes: ${Math.round((await conductor.evaluate({ tasks: heldOut })).successRate * 100)}% right`);

const [example] = (await conductor.evaluate({ tasks: heldOut.slice(0, 1) })).results;
console.log(`\n${heldOut[0]?.goal}`);
for (const step of example?.trajectory ?? []) console.log(`  ${step.actor}: ${step.action}`);
console.log(`\n${(await conductor.q.getLearnedContext({ state: "The question is about a date or a range of dates. Which column gives the date?", maxTokens: 120 })).split("\n").slice(0, 3).join("\n")}`);
