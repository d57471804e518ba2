/**
 * How much a Q entry deserves a place in context:
 * 0.4·Q (normalised) + 0.3/(1 + visits) + 0.2·mean|δ| − 0.1·staleness, staleness in [0, 1].
 */
export function retentionScore({
  normalizedValue,
  visits,
  meanAbsoluteTdError,
  staleness,
}: {
  normalizedValue: number;
  visits: number;
  meanAbsoluteTdError: number;
  staleness: number;
}): number {
  return 0.4 * normalizedValue + 0.3 / (1 + visits) + 0.2 * meanAbsoluteTdError - 0.1 * staleness;
}
