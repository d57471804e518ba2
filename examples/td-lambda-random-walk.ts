/**
 * Learn the values of the 19-state random walk with true online TD(λ) and compare them
 * with the true values. Run: npm run example:td
 */
import { RandomWalk, Rng, TDLambda } from "../src/index.js";

const rng = new Rng(42);
const walk = new RandomWalk({ states: 19 });
const td = new TDLambda({ alpha: 0.1, gamma: 1, lambda: 0.8, method: "true-online" });

for (let episode = 0; episode < 200; episode += 1) {
  let { observation, actions } = walk.reset(rng);
  for (;;) {
    const next = walk.step(actions[0] as string);
    td.step({ state: observation, reward: next.reward, nextState: next.done ? null : next.observation });
    if (next.done) break;
    ({ observation, actions } = next);
  }
}

console.log("position  learned  true");
let position = 1;
for (const [state, truth] of walk.trueValues()) {
  console.log(`${String(position).padStart(8)}  ${td.value(state).toFixed(3).padStart(7)}  ${truth.toFixed(3).padStart(5)}`);
  position += 1;
}
