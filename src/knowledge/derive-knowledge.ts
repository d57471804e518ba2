import { strengthenConfidence, weakenConfidence } from "../memory/index.js";
import type { Attribution, RecordedDecision, RecordedEpisode } from "./attribute-outcomes.js";
import type { DecisionPoint } from "./decision-point.js";

/** Per task type: the ordered decisions its successes share, and how often failures lacked each. */
export interface Procedure {
  taskType: string;
  steps: Array<{ point: string; label: string; option: string; lackedBy: number }>;
  successes: number;
  failures: number;
  text: string;
}

/** A cause and its effect, from failures this choice alone explains. */
export interface Cause {
  point: string;
  label: string;
  situation: string;
  option: string;
  /** The effect: how those failures ended, in the environment's words. */
  effect: string;
  /** Failures it was to blame for, and episodes where it was chosen. */
  blamed: number;
  trials: number;
  /** Updated as REFERENCE.md says: +0.1(1−c) for each failure it explains, −0.1c for each success with it. */
  confidence: number;
  text: string;
}

/** Per task type: which decisions decide its failures. */
export interface MetaStatement {
  taskType: string;
  failures: number;
  shares: Array<{ label: string; share: number }>;
  unexplained: number;
  text: string;
}

const percent = (share: number): string => `${Math.round(share * 100)}%`;

/** Procedures of every task type with at least two successes. */
export function deriveProcedures(episodes: readonly RecordedEpisode[], points: ReadonlyMap<string, DecisionPoint>): Procedure[] {
  const byType = new Map<string, RecordedEpisode[]>();
  for (const episode of episodes) {
    const group = byType.get(episode.taskType);
    if (group === undefined) byType.set(episode.taskType, [episode]);
    else group.push(episode);
  }
  const procedures: Procedure[] = [];
  for (const [taskType, group] of [...byType].sort(([a], [b]) => a.localeCompare(b))) {
    const successes = group.filter((episode) => episode.success);
    const failures = group.filter((episode) => !episode.success);
    if (successes.length < 2) continue;
    const has = (episode: RecordedEpisode, step: RecordedDecision): boolean =>
      episode.decisions.some((decision) => decision.point === step.point && decision.chosen === step.chosen);
    const latest = successes.at(-1) as RecordedEpisode;
    const shared = latest.decisions.filter((step) => successes.every((episode) => has(episode, step)));
    if (shared.length === 0) continue;
    const steps = shared.map((step) => ({
      point: step.point,
      label: points.get(step.point)?.label ?? step.point,
      option: step.chosen,
      lackedBy: failures.filter((episode) => !has(episode, step)).length,
    }));
    const list = steps.map((step, index) => `${index + 1}. ${step.option}${step.lackedBy > 0 ? ` (${step.lackedBy} failure${step.lackedBy === 1 ? "" : "s"} lacked it)` : ""}`);
    procedures.push({
      taskType,
      steps,
      successes: successes.length,
      failures: failures.length,
      text: `Procedure for "${taskType}" tasks, shared by ${successes.length} successes (${failures.length} failures): ${list.join(" → ")}`,
    });
  }
  return procedures;
}

/** Causes: options blamed for at least two failures, with the effect those failures had. */
export function deriveCauses(episodes: readonly RecordedEpisode[], attribution: Attribution, points: ReadonlyMap<string, DecisionPoint>): Cause[] {
  const blamedIn = new Map<RecordedEpisode, Set<string>>();
  for (const failure of attribution.failures) {
    blamedIn.set(failure.episode, new Set(failure.blamed.map((decision) => `${decision.point}\u0000${decision.chosen}`)));
  }
  const causes = new Map<string, { point: string; option: string; effects: Map<string, number>; blamed: number; trials: number; confidence: number }>();
  for (const episode of episodes) {
    for (const decision of episode.decisions) {
      const name = `${decision.point}\u0000${decision.chosen}`;
      const blamed = blamedIn.get(episode)?.has(name) === true;
      let cause = causes.get(name);
      if (cause === undefined && !blamed) continue;
      cause ??= { point: decision.point, option: decision.chosen, effects: new Map(), blamed: 0, trials: 0, confidence: 0.5 };
      causes.set(name, cause);
      cause.trials += 1;
      if (blamed) {
        cause.blamed += 1;
        cause.effects.set(episode.outcome, (cause.effects.get(episode.outcome) ?? 0) + 1);
        cause.confidence = strengthenConfidence(cause.confidence);
      } else if (episode.success) {
        cause.confidence = weakenConfidence(cause.confidence);
      }
    }
  }
  return [...causes.values()]
    .filter((cause) => cause.blamed >= 2)
    .map((cause) => {
      const point = points.get(cause.point);
      const effect = [...cause.effects].sort(([a, countA], [b, countB]) => countB - countA || a.localeCompare(b))[0]?.[0] ?? "it failed";
      const situation = point?.situation ?? "";
      return {
        point: cause.point,
        label: point?.label ?? cause.point,
        situation,
        option: cause.option,
        effect,
        blamed: cause.blamed,
        trials: cause.trials,
        confidence: cause.confidence,
        text: `"${cause.option}" when ${situation} → ${effect} (to blame in ${cause.blamed} of the ${cause.trials} episodes that chose it; confidence ${cause.confidence.toFixed(2)})`,
      };
    })
    .sort((a, b) => b.confidence - a.confidence || b.blamed - a.blamed || a.option.localeCompare(b.option));
}

/** Per task type with at least three failures: the share of its failures each decision decides. */
export function deriveMeta(attribution: Attribution, points: ReadonlyMap<string, DecisionPoint>): MetaStatement[] {
  const byType = new Map<string, Attribution["failures"]>();
  for (const failure of attribution.failures) {
    const group = byType.get(failure.episode.taskType);
    if (group === undefined) byType.set(failure.episode.taskType, [failure]);
    else group.push(failure);
  }
  const statements: MetaStatement[] = [];
  for (const [taskType, failures] of [...byType].sort(([a], [b]) => a.localeCompare(b))) {
    if (failures.length < 3) continue;
    const decided = new Map<string, number>();
    let unexplained = 0;
    for (const failure of failures) {
      const labels = new Set(failure.blamed.map((decision) => points.get(decision.point)?.label ?? decision.point));
      if (labels.size === 0) unexplained += 1;
      for (const label of labels) decided.set(label, (decided.get(label) ?? 0) + 1);
    }
    const shares = [...decided]
      .map(([label, count]) => ({ label, share: count / failures.length }))
      .sort((a, b) => b.share - a.share || a.label.localeCompare(b.label));
    const parts = shares.map((item, index) => `${index === 0 ? "the" : ""} "${item.label}" decision decides ${percent(item.share)}`.trim());
    const rest = unexplained > 0 ? `${parts.length > 0 ? "; " : ""}${percent(unexplained / failures.length)} are not explained yet` : "";
    statements.push({
      taskType,
      failures: failures.length,
      shares,
      unexplained: unexplained / failures.length,
      text: `In "${taskType}" tasks ${parts.join(", ")}${parts.length > 0 ? " of failures" : ""}${rest} (${failures.length} failures).`,
    });
  }
  return statements;
}
