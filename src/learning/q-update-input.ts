import { JottyError } from "../errors/index.js";
import type { Owner } from "../util/index.js";
import type { QMethod } from "./q-predictor-options.js";

/** One transition to learn from. */
export interface QUpdateInput {
  state: string;
  action: string;
  reward: number;
  /** The state reached; ignored when done. */
  nextState: string | null;
  /** The action taken next (SARSA). */
  nextAction?: string | undefined;
  /** The actions available next (Q-learning, Expected SARSA). */
  nextActions?: readonly string[] | undefined;
  done: boolean;
  /** Who made the decision; a new entry records it as its owner. */
  owner?: Owner | undefined;
  /** Step size for this update instead of the predictor's α (e.g. the deciding actor's override). */
  alpha?: number | undefined;
}

function invalid(message: string): JottyError {
  return new JottyError({ code: "invalid_argument", message });
}

/**
 * Checks a transition before anything is learned from it.
 *
 * @throws JottyError `invalid_reward` for a non-finite reward, `invalid_argument` for an α out
 *   of (0, 1], a missing state, action or next state, or (SARSA) a missing next action.
 */
export function validateQUpdateInput(input: QUpdateInput, method: QMethod): void {
  if (typeof input.reward !== "number" || !Number.isFinite(input.reward)) {
    throw new JottyError({
      code: "invalid_reward",
      message: `QPredictor.update got reward ${String(input.reward)} for "${input.action}"; rewards must be finite numbers. Nothing was changed.`,
      details: { reward: String(input.reward), action: String(input.action) },
    });
  }
  if (input.alpha !== undefined && !(input.alpha > 0 && input.alpha <= 1)) {
    throw invalid(`QPredictor.update's alpha must be in (0, 1], got ${input.alpha}. Nothing was changed.`);
  }
  if (typeof input.state !== "string" || typeof input.action !== "string" || input.action.trim() === "") {
    throw invalid("QPredictor.update needs a state and an action as text.");
  }
  if (!input.done && (input.nextState === null || typeof input.nextState !== "string")) {
    throw invalid("QPredictor.update needs nextState unless done is true.");
  }
  if (!input.done && method === "sarsa" && input.nextAction === undefined) {
    throw invalid("SARSA learns from the action taken next: pass nextAction unless done is true.");
  }
}
