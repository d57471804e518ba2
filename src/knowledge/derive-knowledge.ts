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

/**
 * The procedure of a task type from the decisions its latest success shares with every other
 * success; `lackedBy` counts the failures that did not take a step. Undefined with fewer than
 * two successes or nothing shared.
 */
export function procedureOf({
  taskType,
  successes,
  failures,
  shared,
  points,
}: {
  taskType: string;
  successes: number;
  failures: number;
  shared: ReadonlyArray<RecordedDecision & { lackedBy: number }>;
  points: ReadonlyMap<string, DecisionPoint>;
}): Procedure | undefined {
  if (successes < 2 || shared.length === 0) return undefined;
  const steps = shared.map((step) => ({ point: step.point, label: points.get(step.point)?.label ?? step.point, option: step.chosen, lackedBy: step.lackedBy }));
  const list = steps.map((step, index) => `${index + 1}. ${step.option}${step.lackedBy > 0 ? ` (${step.lackedBy} failure${step.lackedBy === 1 ? "" : "s"} lacked it)` : ""}`);
  return {
    taskType,
    steps,
    successes,
    failures,
    text: `Procedure for "${taskType}" tasks, shared by ${successes} successes (${failures} failures): ${list.join(" → ")}`,
  };
}

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
    const has = (episode: RecordedEpisode, step: RecordedDecision): boolean =>
      episode.decisions.some((decision) => decision.point === step.point && decision.chosen === step.chosen);
    const latest = successes.at(-1);
    const shared = (latest?.decisions ?? [])
      .filter((step) => successes.every((episode) => has(episode, step)))
      .map((step) => ({ ...step, lackedBy: failures.filter((episode) => !has(episode, step)).length }));
    const procedure = procedureOf({ taskType, successes: successes.length, failures: failures.length, shared, points });
    if (procedure !== undefined) procedures.push(procedure);
  }
  return procedures;
}

/** What the episodes that chose one option say of it as a cause, before it is worded. */
export interface CauseTally {
  point: string;
  option: string;
  /** How the failures it is to blame for ended, and how often. */
  effects: Map<string, number>;
  blamed: number;
  trials: number;
  confidence: number;
}

/**
 * The tally of one option from the episodes that chose it, in order, each with whether that
 * episode's failure is blamed on it. It starts at the first episode that blames it; undefined
 * when none does. With `from`, the tally so far is carried on (and changed) by later episodes.
 */
export function tallyCause(decision: RecordedDecision, chosenIn: Iterable<{ episode: RecordedEpisode; blamed: boolean }>, from?: CauseTally): CauseTally | undefined {
  let cause = from;
  for (const { episode, blamed } of chosenIn) {
    if (cause === undefined && !blamed) continue;
    cause ??= { point: decision.point, option: decision.chosen, effects: new Map(), blamed: 0, trials: 0, confidence: 0.5 };
    cause.trials += 1;
    if (blamed) {
      cause.blamed += 1;
      cause.effects.set(episode.outcome, (cause.effects.get(episode.outcome) ?? 0) + 1);
      cause.confidence = strengthenConfidence(cause.confidence);
    } else if (episode.success) {
      cause.confidence = weakenConfidence(cause.confidence);
    }
  }
  return cause;
}

/** Causes from tallies: those blamed for at least two failures, worded, most confident first. */
export function causesOf(tallies: Iterable<CauseTally>, points: ReadonlyMap<string, DecisionPoint>): Cause[] {
  return [...tallies]
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
    .sort((a, b) => b.confidence - a.confidence || b.blamed - a.blamed || a.option.localeCompare(b.option) || a.point.localeCompare(b.point));
}

/** Causes: options blamed for at least two failures, with the effect those failures had. */
export function deriveCauses(episodes: readonly RecordedEpisode[], attribution: Attribution, points: ReadonlyMap<string, DecisionPoint>): Cause[] {
  const blamedIn = new Map<RecordedEpisode, Set<string>>();
  for (const failure of attribution.failures) {
    blamedIn.set(failure.episode, new Set(failure.blamed.map((decision) => `${decision.point}\u0000${decision.chosen}`)));
  }
  const chosenIn = new Map<string, { decision: RecordedDecision; episodes: Array<{ episode: RecordedEpisode; blamed: boolean }> }>();
  for (const episode of episodes) {
    for (const decision of episode.decisions) {
      const name = `${decision.point}\u0000${decision.chosen}`;
      let item = chosenIn.get(name);
      if (item === undefined) {
        item = { decision, episodes: [] };
        chosenIn.set(name, item);
      }
      item.episodes.push({ episode, blamed: blamedIn.get(episode)?.has(name) === true });
    }
  }
  const tallies = [...chosenIn.values()].flatMap(({ decision, episodes: chosen }) => tallyCause(decision, chosen) ?? []);
  return causesOf(tallies, points);
}

/** What decides one task type's failures, before it is worded: failures, those no decision explains, and per decision label the failures it decides. */
export interface MetaTally {
  failures: number;
  unexplained: number;
  decided: Map<string, number>;
}

/** The meta statement of a task type from its tally; undefined below three failures. */
export function metaOf(taskType: string, { failures, unexplained, decided }: MetaTally): MetaStatement | undefined {
  if (failures < 3) return undefined;
  const shares = [...decided]
    .filter(([, count]) => count > 0)
    .map(([label, count]) => ({ label, share: count / failures }))
    .sort((a, b) => b.share - a.share || a.label.localeCompare(b.label));
  const parts = shares.map((item, index) => `${index === 0 ? "the" : ""} "${item.label}" decision decides ${percent(item.share)}`.trim());
  const rest = unexplained > 0 ? `${parts.length > 0 ? "; " : ""}${percent(unexplained / failures)} are not explained yet` : "";
  return {
    taskType,
    failures,
    shares,
    unexplained: unexplained / failures,
    text: `In "${taskType}" tasks ${parts.join(", ")}${parts.length > 0 ? " of failures" : ""}${rest} (${failures} failures).`,
  };
}

/** The decision labels a failure's blame falls on (a label once, however many of its points share it). */
export function blamedLabels(blamed: readonly RecordedDecision[], points: ReadonlyMap<string, DecisionPoint>): Set<string> {
  return new Set(blamed.map((decision) => points.get(decision.point)?.label ?? decision.point));
}

/** Per task type with at least three failures: the share of its failures each decision decides. */
export function deriveMeta(attribution: Attribution, points: ReadonlyMap<string, DecisionPoint>): MetaStatement[] {
  const byType = new Map<string, MetaTally>();
  for (const failure of attribution.failures) {
    let tally = byType.get(failure.episode.taskType);
    if (tally === undefined) {
      tally = { failures: 0, unexplained: 0, decided: new Map() };
      byType.set(failure.episode.taskType, tally);
    }
    tally.failures += 1;
    const labels = blamedLabels(failure.blamed, points);
    if (labels.size === 0) tally.unexplained += 1;
    for (const label of labels) tally.decided.set(label, (tally.decided.get(label) ?? 0) + 1);
  }
  return [...byType]
    .sort(([a], [b]) => a.localeCompare(b))
    .flatMap(([taskType, tally]) => metaOf(taskType, tally) ?? []);
}
