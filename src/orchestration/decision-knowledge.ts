import type { ConductorConfig } from "../config/index.js";
import {
  renderLearnedContext,
  type ContextExample,
  type ContextStrategy,
  type DecisionEvidence,
  type DecisionPoint,
  type LearnedContext,
} from "../knowledge/index.js";
import type { Rng } from "../util/index.js";

/**
 * The learned context of one decision: the rules of its point, the other rules, procedure,
 * causes and meta statement of its task type, then the recalled examples and strategies.
 */
export function decisionContext({
  evidence,
  point,
  taskType,
  examples,
  strategies,
  maxTokens,
}: {
  evidence: DecisionEvidence;
  point: DecisionPoint | null;
  taskType: string;
  examples: readonly ContextExample[];
  strategies: readonly ContextStrategy[];
  maxTokens: number;
}): LearnedContext {
  const view = evidence.knowledge();
  const taskPoints = view.pointsByTask.get(taskType) ?? new Set<string>();
  const rules = point === null ? [] : view.lessons.filter((lesson) => lesson.point === point.key);
  const related = view.lessons.filter((lesson) => lesson.point !== point?.key && taskPoints.has(lesson.point));
  return renderLearnedContext({
    rules,
    related,
    procedure: view.procedures.find((procedure) => procedure.taskType === taskType),
    causes: point === null ? [] : view.causes.filter((cause) => cause.point === point.key),
    meta: view.meta.find((statement) => statement.taskType === taskType),
    examples,
    strategies,
    maxTokens,
  });
}

/**
 * While learning, the decision the Conductor takes on behalf of an actor. For any actor, now and
 * then, a probe: an untested alternative at a point where another option is proven, taken once
 * an episode while everything else follows proven options, so its outcome is a minimal pair.
 * For an actor that reads the learned context (an LLM actor): the point's confident rule (no
 * model call needed), or — at a share of the points without one — an option drawn by Thompson
 * sampling over the evidence, so a model that always takes the obvious reading still tries the
 * others. Undefined: the actor decides.
 */
export function decisionOnBehalf({
  evidence,
  point,
  actions,
  settings,
  rng,
  readsContext,
  canProbe,
}: {
  evidence: DecisionEvidence;
  point: DecisionPoint | null;
  actions: readonly string[];
  settings: ConductorConfig["knowledge"];
  rng: Rng;
  /** The actor decides from the learned context (an LLM actor). */
  readsContext: boolean;
  /** No probe yet this episode and every decision so far proven: a probe now makes a minimal pair. */
  canProbe: boolean;
}): { action: string; source: "rule" | "explore" | "probe"; reasoning: string } | undefined {
  if (point === null) return undefined;
  // A minimal pair: one untested alternative where the rest of the episode follows proven options.
  if (canProbe && settings.probe > 0 && rng.next() < settings.probe) {
    const probe = evidence.probe({ point: point.key, options: actions, rng });
    if (probe !== undefined) return { action: probe, source: "probe", reasoning: "a probe of an untested alternative, for a minimal pair" };
  }
  if (!readsContext) return undefined;
  const rule = evidence.rule(point.key);
  if (rule !== undefined) {
    if (settings.followRules && actions.includes(rule.option)) return { action: rule.option, source: "rule", reasoning: `the team's rule: ${rule.text}` };
    return undefined;
  }
  if (settings.explore <= 0 || rng.next() >= settings.explore) return undefined;
  const action = evidence.explore({ point: point.key, options: actions, rng });
  return { action, source: "explore", reasoning: "explored on the team's behalf (Thompson sampling over the evidence)" };
}
