import { expectedSarsaTarget, qLearningTarget, sarsaTarget } from "./math/index.js";
import type { QMethod } from "./q-predictor-options.js";
import type { QUpdateInput } from "./q-update-input.js";

/** Options of {@link oneStepTarget}. */
export interface OneStepTargetOptions {
  input: Pick<QUpdateInput, "reward" | "done" | "nextState" | "nextAction" | "nextActions">;
  method: QMethod;
  gamma: number;
  /** The value bootstrapped from when nothing is known of the next state's actions. */
  initialValue: number;
  /** ε of Expected SARSA's target policy. */
  epsilon: number;
  /** The values of actions in a state, without asking a model. */
  valuesOf: (state: string, actions: readonly string[]) => Promise<number[]>;
  /** The actions known in a state, for a transition that names none. */
  knownActions: (state: string) => string[];
}

/**
 * The one-step target of a transition: its reward when done; otherwise SARSA's r + γ·Q(s′, a′),
 * Q-learning's r + γ·max Q(s′, ·) or Expected SARSA's r + γ·E_ε[Q(s′, ·)] over the next actions
 * given (or known). Monte-Carlo bootstraps a single step like Q-learning.
 */
export async function oneStepTarget({ input, method, gamma, initialValue, epsilon, valuesOf, knownActions }: OneStepTargetOptions): Promise<number> {
  const { reward, done } = input;
  if (done || input.nextState === null) return reward;
  if (method === "sarsa") {
    const [nextValue] = await valuesOf(input.nextState, [input.nextAction as string]);
    return sarsaTarget({ reward, gamma, done, nextValue: nextValue as number });
  }
  const nextActions =
    input.nextActions !== undefined && input.nextActions.length > 0
      ? input.nextActions
      : input.nextAction !== undefined
        ? [input.nextAction]
        : knownActions(input.nextState);
  if (nextActions.length === 0) return reward + gamma * initialValue;
  const nextValues = await valuesOf(input.nextState, nextActions);
  if (method === "q-learning") return qLearningTarget({ reward, gamma, done, nextValues });
  return expectedSarsaTarget({ reward, gamma, done, nextValues, epsilon });
}
