import {
  epsilonGreedy,
  expectedSarsaTarget,
  greedy,
  qLearningTarget,
  qUpdate,
  Rng,
  sarsaTarget,
  type TextEnvironment,
} from "../../src/index.js";

/** Which one-step target the control loop learns with. */
export type ControlMethod = "q-learning" | "sarsa" | "expected-sarsa";

/** A tabular Q-function keyed by (observation, action) text, 0 where unseen. */
export class QTable {
  private readonly table = new Map<string, Map<string, number>>();

  get(state: string, action: string): number {
    return this.table.get(state)?.get(action) ?? 0;
  }

  set(state: string, action: string, value: number): void {
    let row = this.table.get(state);
    if (row === undefined) {
      row = new Map();
      this.table.set(state, row);
    }
    row.set(action, value);
  }

  values(state: string, actions: readonly string[]): number[] {
    return actions.map((action) => this.get(state, action));
  }
}

/** Options of {@link trainControl}. */
export interface ControlOptions {
  environment: TextEnvironment;
  method: ControlMethod;
  episodes: number;
  alpha: number;
  gamma: number;
  epsilon: number;
  seed: number;
}

/**
 * Sutton & Barto's on-line control loops (§6.4–6.6) over the text environment, built from
 * Jotty's pure targets and ε-greedy policy. Returns the return of every episode and the table.
 */
export function trainControl({ environment, method, episodes, alpha, gamma, epsilon, seed }: ControlOptions): {
  returns: number[];
  q: QTable;
} {
  const rng = new Rng(seed);
  const q = new QTable();
  const returns: number[] = [];
  const choose = (state: string, actions: readonly string[]): string =>
    actions[epsilonGreedy({ values: q.values(state, actions), epsilon, rng })] as string;
  for (let episode = 0; episode < episodes; episode += 1) {
    let { observation: state, actions } = environment.reset(rng);
    let action = choose(state, actions);
    let episodeReturn = 0;
    for (;;) {
      const next = environment.step(action);
      episodeReturn += next.reward;
      const nextAction = next.done ? undefined : choose(next.observation, next.actions);
      const nextValues = next.done ? [] : q.values(next.observation, next.actions);
      const target =
        method === "q-learning"
          ? qLearningTarget({ reward: next.reward, gamma, done: next.done, nextValues })
          : method === "sarsa"
            ? sarsaTarget({
                reward: next.reward,
                gamma,
                done: next.done,
                nextValue: nextAction === undefined ? 0 : q.get(next.observation, nextAction),
              })
            : expectedSarsaTarget({ reward: next.reward, gamma, done: next.done, nextValues, epsilon });
      q.set(state, action, qUpdate({ q: q.get(state, action), target, alpha }));
      if (next.done || nextAction === undefined) break;
      state = next.observation;
      actions = next.actions;
      action = nextAction;
    }
    returns.push(episodeReturn);
  }
  return { returns, q };
}

/** Return of one greedy episode (ties broken with a fixed seed), cut off after `maxSteps`. */
export function greedyReturn(environment: TextEnvironment, q: QTable, maxSteps = 1000): number {
  const rng = new Rng(0);
  let { observation, actions } = environment.reset(rng);
  let total = 0;
  for (let step = 0; step < maxSteps; step += 1) {
    const action = actions[greedy({ values: q.values(observation, actions), rng })] as string;
    const next = environment.step(action);
    total += next.reward;
    if (next.done) return total;
    observation = next.observation;
    actions = next.actions;
  }
  return total;
}
