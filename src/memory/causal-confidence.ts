/** Bounds of a causal link's confidence: never certain, never dismissed. */
export const CONFIDENCE_FLOOR = 0.1;
export const CONFIDENCE_CEILING = 0.99;

function clampConfidence(confidence: number): number {
  return Math.min(CONFIDENCE_CEILING, Math.max(CONFIDENCE_FLOOR, confidence));
}

/** Confidence after supporting evidence: c + 0.1·(1 − c), within [0.1, 0.99]. */
export function strengthenConfidence(confidence: number): number {
  return clampConfidence(confidence + 0.1 * (1 - confidence));
}

/** Confidence after contradicting evidence: c − 0.1·c, within [0.1, 0.99]. */
export function weakenConfidence(confidence: number): number {
  return clampConfidence(confidence - 0.1 * confidence);
}

/** A confidence given by a caller, brought into [0.1, 0.99]. */
export function boundConfidence(confidence: number): number {
  return clampConfidence(confidence);
}
