import { JottyError } from "../../errors/index.js";

/** Inputs common to every one-step target. */
interface TargetBase {
  /** Reward observed after taking the action. */
  reward: number;
  /** Discount γ. */
  gamma: number;
  /** Whether the next state is terminal: the target is then just the reward. */
  done: boolean;
}

/** Inputs of {@link qLearningTarget}. */
export interface QLearningTargetInput extends TargetBase {
  /** Q(s′, a′) for every action available in s′. */
  nextValues: readonly number[];
}

/** Inputs of {@link sarsaTarget}. */
export interface SarsaTargetInput extends TargetBase {
  /** Q(s′, a′) of the action actually chosen in s′. */
  nextValue: number;
}

/** Inputs of {@link expectedSarsaTarget}: the target policy as probabilities or as ε of ε-greedy. */
export type ExpectedSarsaTargetInput = TargetBase & {
  /** Q(s′, a′) for every action available in s′. */
  nextValues: readonly number[];
} & ({ probabilities: readonly number[]; epsilon?: never } | { epsilon: number; probabilities?: never });

function maxOf(values: readonly number[]): number {
  let best = -Infinity;
  for (const value of values) if (value > best) best = value;
  return best;
}

function requireValues(values: readonly number[], where: string): void {
  if (values.length === 0) {
    throw new JottyError({
      code: "invalid_argument",
      message: `${where} needs the values of at least one next action when the next state is not terminal.`,
    });
  }
}

/**
 * Q-learning's off-policy target r + γ·max_a′ Q(s′, a′) (0 bootstrap when done).
 *
 * @throws JottyError `invalid_argument` when not done and `nextValues` is empty.
 */
export function qLearningTarget({ reward, gamma, done, nextValues }: QLearningTargetInput): number {
  if (done) return reward;
  requireValues(nextValues, "qLearningTarget");
  return reward + gamma * maxOf(nextValues);
}

/** SARSA's on-policy target r + γ·Q(s′, a′) for the action a′ actually chosen (0 bootstrap when done). */
export function sarsaTarget({ reward, gamma, done, nextValue }: SarsaTargetInput): number {
  return done ? reward : reward + gamma * nextValue;
}

/**
 * Probabilities ε-greedy gives each action: ε/n each, plus (1 − ε) shared among the greedy ones.
 *
 * @throws JottyError `invalid_argument` on an empty list or ε outside [0, 1].
 */
export function epsilonGreedyProbabilities({
  values,
  epsilon,
}: {
  values: readonly number[];
  epsilon: number;
}): number[] {
  requireValues(values, "epsilonGreedyProbabilities");
  if (!(epsilon >= 0 && epsilon <= 1)) {
    throw new JottyError({
      code: "invalid_argument",
      message: `ε must lie in [0, 1], got ${epsilon}.`,
      details: { epsilon },
    });
  }
  const best = maxOf(values);
  const greedyCount = values.filter((value) => value === best).length;
  return values.map((value) => epsilon / values.length + (value === best ? (1 - epsilon) / greedyCount : 0));
}

/**
 * Expected SARSA's target r + γ·Σ_a′ π(a′|s′)·Q(s′, a′) (0 bootstrap when done).
 *
 * @throws JottyError `invalid_argument` when probabilities and values differ in length.
 */
export function expectedSarsaTarget(input: ExpectedSarsaTargetInput): number {
  const { reward, gamma, done, nextValues } = input;
  if (done) return reward;
  requireValues(nextValues, "expectedSarsaTarget");
  const probabilities =
    input.probabilities ?? epsilonGreedyProbabilities({ values: nextValues, epsilon: input.epsilon ?? 0 });
  if (probabilities.length !== nextValues.length) {
    throw new JottyError({
      code: "invalid_argument",
      message: `expectedSarsaTarget got ${probabilities.length} probabilities for ${nextValues.length} actions; give one per action.`,
    });
  }
  let expected = 0;
  for (let index = 0; index < nextValues.length; index += 1) {
    expected += (probabilities[index] ?? 0) * (nextValues[index] ?? 0);
  }
  return reward + gamma * expected;
}

/** The incremental update Q ← Q + α·(target − Q). */
export function qUpdate({ q, target, alpha }: { q: number; target: number; alpha: number }): number {
  return q + alpha * (target - q);
}
