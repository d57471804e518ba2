/**
 * Kinds of eligibility trace.
 *
 * - `accumulating`: e ← γλe + 1 on a visit (Sutton & Barto eq. 12.5).
 * - `replacing`: e ← 1 on a visit.
 * - `dutch`: e ← 1 + γλ(1 − α)e on a visit, the tabular form of
 *   z ← γλz + (1 − αγλ zᵀx)x used by true-online TD(λ).
 */
export type EligibilityTraceKind = "accumulating" | "replacing" | "dutch";

/** Inputs of {@link eligibilityTrace}. */
export interface EligibilityTraceInput {
  /** The trace before this step. */
  trace: number;
  /** Kind of trace. */
  kind: EligibilityTraceKind;
  /** Discount γ. */
  gamma: number;
  /** Trace decay λ. */
  lambda: number;
  /** Whether this state (or memory) is the one visited now. */
  visited: boolean;
  /** Step size α; only dutch traces use it. @default 0 */
  alpha?: number;
}

/**
 * One eligibility-trace entry after one step: decayed by γλ, then bumped when visited.
 *
 * @example
 * ```ts
 * eligibilityTrace({ trace: 1, kind: "accumulating", gamma: 1, lambda: 0.8, visited: true }); // 1.8
 * ```
 */
export function eligibilityTrace({ trace, kind, gamma, lambda, visited, alpha = 0 }: EligibilityTraceInput): number {
  const decayed = gamma * lambda * trace;
  if (!visited) return decayed;
  switch (kind) {
    case "accumulating":
      return decayed + 1;
    case "replacing":
      return 1;
    case "dutch":
      return 1 + (1 - alpha) * decayed;
  }
}
