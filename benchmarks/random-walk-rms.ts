import { RandomWalk, TDLambda, Rng, type TraceKind } from "../src/index.js";

/** One point of the textbook's figure: a trace kind, λ and α. */
export interface RandomWalkRmsInput {
  method: TraceKind;
  lambda: number;
  alpha: number;
  /** Independent runs averaged. @default 100 */
  runs?: number;
  /** Episodes per run; the error is measured at the end of each. @default 10 */
  episodes?: number;
  /** Non-terminal states of the walk. @default 19 */
  states?: number;
  /** Seed of the first run; run r uses a fork of it. @default 1 */
  seed?: number;
}

/**
 * Sutton & Barto's measure on the random walk (Figures 12.3, 12.6, 12.8): the RMS error
 * of the value estimates over all states, measured at the end of each episode,
 * averaged over the first `episodes` episodes and `runs` runs, with γ = 1 and
 * values starting at 0. Runs whose values overflow count as Infinity.
 */
export function randomWalkRmsError({
  method,
  lambda,
  alpha,
  runs = 100,
  episodes = 10,
  states = 19,
  seed = 1,
}: RandomWalkRmsInput): number {
  const walk = new RandomWalk({ states });
  const truth = [...walk.trueValues()];
  const master = new Rng(seed);
  let total = 0;
  for (let run = 0; run < runs; run += 1) {
    const rng = master.fork();
    const learner = new TDLambda({ alpha, gamma: 1, lambda, method, initialValue: 0 });
    for (let episode = 0; episode < episodes; episode += 1) {
      let { observation, actions } = walk.reset(rng);
      for (;;) {
        const next = walk.step(actions[0] as string);
        learner.step({ state: observation, reward: next.reward, nextState: next.done ? null : next.observation });
        if (next.done) break;
        observation = next.observation;
        actions = next.actions;
      }
      let squared = 0;
      for (const [state, value] of truth) squared += (learner.value(state) - value) ** 2;
      const rms = Math.sqrt(squared / truth.length);
      total += Number.isFinite(rms) ? rms : Infinity;
    }
  }
  return total / (runs * episodes);
}
