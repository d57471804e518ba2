import type { Reflection, TrajectoryStep } from "./schemas.js";

const FAILURE_WORDS = /\b(error|errors|fail|failed|failure|exception|timeout|timed out|refused|denied|invalid|wrong|not found|crash|crashed)\b/i;

/** Confidence of rule-based findings (REFERENCE: 0.4). */
const RULE_CONFIDENCE = 0.4;

/**
 * What a trajectory teaches, by rules: the steps of a good outcome (score ≥ 0.5) are helpful
 * strategies; steps whose result reads as a failure, and the last action before a bad outcome,
 * are harmful patterns; observations are kept as observations.
 */
export function ruleReflection({
  trajectoryId,
  task,
  steps,
  score,
  error,
}: {
  trajectoryId: string;
  task: string;
  steps: readonly TrajectoryStep[];
  score: number;
  error?: string | undefined;
}): Pick<Reflection, "helpfulStrategies" | "harmfulPatterns" | "observations"> {
  const good = score >= 0.5;
  const helpfulStrategies: Reflection["helpfulStrategies"] = [];
  const harmfulPatterns: Reflection["harmfulPatterns"] = [];
  const observations: Reflection["observations"] = [];
  const acting = steps.filter((step) => step.type !== "observation");
  for (const step of steps) {
    const evidence = `${trajectoryId}: ${step.description} → ${step.result}`;
    if (step.type === "observation") {
      observations.push({ description: step.description, relevance: good ? 0.6 : 0.4 });
    } else if (FAILURE_WORDS.test(step.result)) {
      harmfulPatterns.push({ description: step.description, evidence, impact: good ? "low" : "high", confidence: RULE_CONFIDENCE });
    } else if (good) {
      helpfulStrategies.push({ description: step.description, evidence, confidence: RULE_CONFIDENCE });
    }
  }
  if (!good) {
    const last = acting.at(-1);
    if (last !== undefined && !harmfulPatterns.some((pattern) => pattern.description === last.description)) {
      harmfulPatterns.push({
        description: last.description,
        evidence: `${trajectoryId}: the last step before "${task}" ${error === undefined ? "fell short" : `failed with ${error}`}`,
        impact: "medium",
        confidence: RULE_CONFIDENCE,
      });
    }
    if (error !== undefined) observations.push({ description: `"${task}" failed: ${error}`, relevance: 0.8 });
  }
  return { helpfulStrategies, harmfulPatterns, observations };
}
