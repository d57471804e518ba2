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
 * While learning, the decision the Conductor takes on behalf of an actor, so that outcomes can
 * be attributed: an episode with a single untested decision among proven ones is a minimal pair.
 *
 * - Any actor, now and then (`probe`): an untested alternative at a point where another option
 *   is proven, once an episode while every decision so far was proven; after it, the rules and
 *   proven options.
 * - An actor that reads the learned context (an LLM actor): the point's confident rule (no model
 *   call needed), or an option verified by its record (replayed like a trace); where no option has worked yet, Thompson sampling over the evidence; once an
 *   untested decision was taken this episode, or while a later point of the task has no proven
 *   option, the proven option (a second untested one would leave the failure unexplained); else
 *   the model, or at the share `explore` (0: never) Thompson sampling — so a model that always takes the
 *   obvious reading still tries the others.
 *
 * All of this only at decision points the environment names (`info.decision`). Undefined: the
 * actor decides.
 */
export function decisionOnBehalf({
  evidence,
  point,
  actions,
  settings,
  rng,
  readsContext,
  provenSoFar,
  probed,
  unprovenAhead,
}: {
  evidence: DecisionEvidence;
  point: DecisionPoint | null;
  actions: readonly string[];
  settings: ConductorConfig["knowledge"];
  rng: Rng;
  /** The actor decides from the learned context (an LLM actor). */
  readsContext: boolean;
  /** Every decision of the episode so far took a proven option. */
  provenSoFar: boolean;
  /** The episode has had its probe. */
  probed: boolean;
  /** A point this task type meets later has no proven option: the episode's one untested decision is kept for it. */
  unprovenAhead: boolean;
}): { action: string; source: "rule" | "verified" | "explore" | "probe" | "proven"; reasoning: string } | undefined {
  // Only where the environment names its decisions: a grid's every cell is no decision to probe.
  if (point === null || !point.named) return undefined;
  const rule = evidence.rule(point.key);
  if (rule === undefined && provenSoFar && !probed && settings.probe > 0 && rng.next() < settings.probe) {
    const probe = evidence.probe({ point: point.key, options: actions, rng });
    if (probe !== undefined) return { action: probe, source: "probe", reasoning: "a probe of an untested alternative, for a minimal pair" };
  }
  // After the probe, the rest of the episode follows the rules and proven options, so the probe is its only untested decision.
  if (probed) {
    if (rule !== undefined && actions.includes(rule.option)) return { action: rule.option, source: "rule", reasoning: `the team's rule, after a probe: ${rule.text}` };
    const best = evidence.bestProven({ point: point.key, options: actions });
    if (best !== undefined) return { action: best, source: "proven", reasoning: "a proven option, so the probe stays this episode's one untested decision" };
  }
  if (!readsContext) return undefined;
  if (rule !== undefined) {
    if (settings.followRules && actions.includes(rule.option)) return { action: rule.option, source: "rule", reasoning: `the team's rule: ${rule.text}` };
    return undefined;
  }
  // A decision verified by its record (never to blame, often right) is replayed like a trace.
  const verified = settings.followRules ? evidence.verified({ point: point.key, options: actions }) : undefined;
  if (verified !== undefined) return { action: verified, source: "verified", reasoning: "verified by its record at this decision" };
  const proven = actions.filter((option) => evidence.proven(point.key, option));
  if (proven.length === 0) {
    if (settings.explore <= 0) return undefined;
    return { action: evidence.explore({ point: point.key, options: actions, rng }), source: "explore", reasoning: "explored where nothing has worked yet (Thompson sampling over the evidence)" };
  }
  if (!provenSoFar || unprovenAhead) {
    return { action: evidence.explore({ point: point.key, options: proven, rng }), source: "proven", reasoning: "a proven option, so this episode keeps one untested decision" };
  }
  if (settings.explore > 0 && rng.next() < settings.explore) {
    return { action: evidence.explore({ point: point.key, options: actions, rng }), source: "explore", reasoning: "explored on the team's behalf (Thompson sampling over the evidence)" };
  }
  return undefined;
}
