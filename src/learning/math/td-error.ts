/** Inputs of {@link tdError}. */
export interface TdErrorInput {
  /** Current estimate V(s). */
  value: number;
  /** Reward observed on leaving s. */
  reward: number;
  /** Estimate of the next state V(s′); ignored when `done`. */
  nextValue: number;
  /** Discount γ in [0, 1]. */
  gamma: number;
  /** Whether s′ is terminal (its value counts as 0). @default false */
  done?: boolean;
}

/**
 * The temporal-difference error δ = r + γ·V(s′) − V(s), with V(terminal) = 0.
 *
 * @example
 * ```ts
 * tdError({ value: 0.5, reward: 1, nextValue: 0, gamma: 0.9, done: true }); // 0.5
 * ```
 */
export function tdError({ value, reward, nextValue, gamma, done = false }: TdErrorInput): number {
  return reward + (done ? 0 : gamma * nextValue) - value;
}
