/** One past case of an action: how like the current situation its situation was, and what it gave. */
export interface ActionCase {
  /** Similarity of the case's situation to the current one, in [-1, 1]. */
  similarity: number;
  /** Times the action was taken there. */
  visits: number;
  /** Its learned value there, mapped onto [0, 1] (0 the worst return, 1 the best). */
  value: number;
}

/** Options of {@link caseEstimate}. */
export interface CaseEstimateOptions {
  /** Similarity of the closest situation known, whatever was done there; weights are relative to it. */
  closest: number;
  /** How fast a case's weight falls as its situation is less like the closest one: w = exp(−(closest − similarity) / temperature). */
  temperature: number;
  /** Pseudo-visits of the prior. @default 1 */
  priorWeight?: number;
  /** The prior's mean on [0, 1]. @default 0.5 */
  priorMean?: number;
}

/**
 * A case-based estimate of an action's value in a new situation (after Memento's case-based
 * Q): the similarity-weighted mean of what the action gave in like situations, shrunk
 * towards the middle of the value range by `priorWeight` pseudo-visits. Weights are relative
 * to the closest known situation, so the nearest cases decide, and an action tried there
 * outweighs one tried only further away. An action with little evidence stays near the
 * middle: above actions known to fail nearby, below actions known to work — optimism that
 * makes an untried action worth a try before a known failure is repeated.
 *
 * @returns the estimate in [0, 1] and the weighted visits behind it (0 when no case).
 */
export function caseEstimate(cases: readonly ActionCase[], { closest, temperature, priorWeight = 1, priorMean = 0.5 }: CaseEstimateOptions): { value: number; evidence: number } {
  let weightedVisits = 0;
  let weightedValue = 0;
  for (const item of cases) {
    // Cases more than four temperatures below the closest say nothing (their weight would be under 2%).
    if (item.visits <= 0 || closest - item.similarity > 4 * temperature) continue;
    const weight = Math.exp(-(closest - item.similarity) / temperature) * item.visits;
    weightedVisits += weight;
    weightedValue += weight * Math.min(1, Math.max(0, item.value));
  }
  return { value: (weightedValue + priorMean * priorWeight) / (weightedVisits + priorWeight), evidence: weightedVisits };
}

