import { JottyError } from "../../errors/index.js";
import type { Rng } from "../../util/index.js";

/**
 * Boltzmann probabilities p(a) ∝ exp(Q(a)/τ), computed stably (the maximum is subtracted first).
 *
 * @throws JottyError `invalid_argument` on an empty list or τ ≤ 0.
 */
export function softmaxProbabilities({ values, temperature }: { values: readonly number[]; temperature: number }): number[] {
  if (values.length === 0) {
    throw new JottyError({ code: "invalid_argument", message: "softmax needs at least one action value." });
  }
  if (!(temperature > 0) || !Number.isFinite(temperature)) {
    throw new JottyError({
      code: "invalid_argument",
      message: `softmax temperature must be a positive finite number, got ${temperature}.`,
      details: { temperature },
    });
  }
  let best = -Infinity;
  for (const value of values) if (value > best) best = value;
  const weights = values.map((value) => Math.exp((value - best) / temperature));
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  return weights.map((weight) => weight / total);
}

/**
 * Samples an action index from the softmax (Boltzmann) distribution over values.
 *
 * @param temperature - τ: large explores, small exploits.
 */
export function softmax({ values, temperature, rng }: { values: readonly number[]; temperature: number; rng: Rng }): number {
  const probabilities = softmaxProbabilities({ values, temperature });
  let remaining = rng.next();
  for (let index = 0; index < probabilities.length; index += 1) {
    remaining -= probabilities[index] ?? 0;
    if (remaining < 0) return index;
  }
  return probabilities.length - 1;
}
