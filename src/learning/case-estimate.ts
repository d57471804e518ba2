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


/** A known pair near the current state, as the case estimates read it. */
export interface NearCase<Entry> {
  entry: Entry;
  /** Similarity of the pair's state to the current one. */
  stateSimilarity: number;
  /** The pair's action, normalised. */
  action: string;
}

/**
 * Case-based estimates for several candidates ({@link caseEstimate}): each from the cases of
 * the same (normalised) action among the near pairs, on the value range [low, high], with
 * `priors[i]` the prior mean of candidate i on [0, 1]. A candidate with no case nearby gets
 * its prior with no confidence — or `undefined` when `leaveUnknown` (a model will be asked).
 */
export function caseEstimates<Entry extends { value: number; visits: number }>({
  actions,
  normalised,
  cases,
  closest,
  priors,
  low,
  high,
  temperature,
  leaveUnknown,
}: {
  actions: readonly string[];
  /** The candidates' normalised texts, in the same order. */
  normalised: readonly string[];
  cases: ReadonlyArray<NearCase<Entry>>;
  closest: number;
  priors: readonly number[];
  low: number;
  high: number;
  temperature: number;
  leaveUnknown: boolean;
}): Array<{ q: number; confidence: number; evidence: number } | undefined> {
  const byAction = new Map<string, Array<NearCase<Entry>>>();
  for (const item of cases) byAction.set(item.action, [...(byAction.get(item.action) ?? []), item]);
  return actions.map((_, index) => {
    const own = byAction.get(normalised[index] as string) ?? [];
    if (own.length === 0 && leaveUnknown) return undefined;
    const { value, evidence } = caseEstimate(
      own.map(({ entry, stateSimilarity }) => ({ similarity: stateSimilarity, visits: entry.visits, value: (entry.value - low) / (high - low) })),
      { closest, temperature, priorMean: priors[index] ?? 0.5 },
    );
    return { q: low + (high - low) * value, confidence: Math.min(0.9, evidence / (evidence + 1)), evidence };
  });
}

/**
 * The prior of each candidate on [0, 1] from how like the situation its text is: the middle,
 * moved by twice its similarity above the candidates' mean, at most `weight` either way
 * (texts that barely differ barely lean; a request that mentions rain leans towards the tool
 * described with rain).
 */
export function textPriors(similarities: readonly number[], weight: number): number[] {
  if (weight === 0 || similarities.length < 2) return similarities.map(() => 0.5);
  const mean = similarities.reduce((total, value) => total + value, 0) / similarities.length;
  return similarities.map((value) => 0.5 + Math.min(weight, Math.max(-weight, 2 * (value - mean))));
}
