import type { Feedback } from "./schemas.js";

const DAY = 86_400_000;

/** How feedback scores combine. */
export type ScoreStrategy = "latest" | "average" | "weighted";

/**
 * A trajectory's score in the light of its feedback: the latest feedback's, their average, or
 * their average weighted by 1/(1 + age in days) from exact timestamps. Without feedback, the
 * original score.
 */
export function effectiveScore({
  original,
  feedback,
  strategy,
  now,
}: {
  original: number;
  feedback: readonly Feedback[];
  strategy: ScoreStrategy;
  now: number;
}): number {
  if (feedback.length === 0) return original;
  const ordered = [...feedback].sort((a, b) => a.at - b.at);
  if (strategy === "latest") return (ordered.at(-1) as Feedback).score;
  if (strategy === "average") return ordered.reduce((sum, item) => sum + item.score, 0) / ordered.length;
  let weighted = 0;
  let total = 0;
  for (const item of ordered) {
    const weight = 1 / (1 + Math.max(0, now - item.at) / DAY);
    weighted += weight * item.score;
    total += weight;
  }
  return weighted / total;
}

/**
 * Affinity of two memories for consolidation: β·(cos + 1)/2 + (1 − β)·exp(−λ·Δhours/24).
 */
export function affinity({ cosine, hoursApart, beta = 0.7, lambda = 0.1 }: { cosine: number; hoursApart: number; beta?: number; lambda?: number }): number {
  return beta * ((cosine + 1) / 2) + (1 - beta) * Math.exp((-lambda * Math.abs(hoursApart)) / 24);
}

/** Whether a series of outcomes (oldest first) is getting better, worse, or neither. */
export function trendOf(outcomes: readonly number[], margin = 0.1): "improving" | "stable" | "declining" {
  if (outcomes.length < 4) return "stable";
  const half = Math.floor(outcomes.length / 2);
  const mean = (values: readonly number[]): number => values.reduce((sum, value) => sum + value, 0) / values.length;
  const change = mean(outcomes.slice(outcomes.length - half)) - mean(outcomes.slice(0, half));
  return change > margin ? "improving" : change < -margin ? "declining" : "stable";
}
