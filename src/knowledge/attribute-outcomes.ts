/** One decision of a recorded episode: the point and the option finally chosen there. */
export interface RecordedDecision {
  point: string;
  chosen: string;
}

/** What an episode did, as the evidence keeps it. */
export interface RecordedEpisode {
  episode: number;
  taskType: string;
  success: boolean;
  return: number;
  /** How the episode ended, in the environment's words ("The answer was wrong."). */
  outcome: string;
  decisions: RecordedDecision[];
}

import { wilsonInterval } from "../learning/math/index.js";

/** Outcomes of one option at one decision point. */
export interface OptionEvidence {
  option: string;
  /** Episodes where it was chosen. */
  trials: number;
  /** Of those, the successes. */
  successes: number;
  /** Failures it is to blame for: it was the one untested decision, or it is known to fail alone. */
  blamed: number;
  /** Failures it was in that another decision explains: not counted against it. */
  explained: number;
  /** Sum of the returns of the episodes where it was chosen. */
  returnSum: number;
}

/** Why one failed episode failed, as far as the evidence tells. */
export interface FailureAttribution {
  episode: RecordedEpisode;
  /** Points whose choice is to blame (empty: not explained yet). */
  blamed: RecordedDecision[];
}

/** Per-option outcomes of every point, and the attribution of every failure. */
export interface Attribution {
  options: Map<string, Map<string, OptionEvidence>>;
  failures: FailureAttribution[];
  /** Options proven to work at their point (`<point>\u0000<option>`). */
  proven: Set<string>;
}

/** Blamed at least this often and never in a success: known to fail whatever else is chosen. */
const KNOWN_BAD_BLAME = 2;

const key = (decision: RecordedDecision): string => `${decision.point}\u0000${decision.chosen}`;

/**
 * Attributes outcomes to decisions by contrast. An option of a successful episode is proven to
 * work there (a success needs all its decisions), unless it succeeds clearly less often than the
 * best option of its point. A failure is blamed on its one decision
 * that is not proven — the minimal pair of that failure and the successes that proved the rest;
 * with several unproven decisions it is blamed on those known to fail alone (blamed before and
 * never in a success) and explained for the others, else on no one. So a right decision inside
 * a wrong answer is never blamed for the answer.
 */
export function attributeOutcomes(episodes: readonly RecordedEpisode[]): Attribution {
  const proven = provenOptions(episodes);
  const options = new Map<string, Map<string, OptionEvidence>>();
  const evidence = (decision: RecordedDecision): OptionEvidence => {
    let point = options.get(decision.point);
    if (point === undefined) {
      point = new Map();
      options.set(decision.point, point);
    }
    let found = point.get(decision.chosen);
    if (found === undefined) {
      found = { option: decision.chosen, trials: 0, successes: 0, blamed: 0, explained: 0, returnSum: 0 };
      point.set(decision.chosen, found);
    }
    return found;
  };
  const clean: Array<{ episode: RecordedEpisode; suspects: RecordedDecision[] }> = [];
  const blameCount = new Map<string, number>();
  for (const episode of episodes) {
    for (const decision of episode.decisions) {
      const item = evidence(decision);
      item.trials += 1;
      item.returnSum += episode.return;
      if (episode.success) item.successes += 1;
    }
    if (episode.success) continue;
    const suspects = episode.decisions.filter((decision) => !proven.has(key(decision)));
    clean.push({ episode, suspects });
    if (suspects.length === 1) {
      const only = suspects[0] as RecordedDecision;
      blameCount.set(key(only), (blameCount.get(key(only)) ?? 0) + 1);
    }
  }
  const knownBad = new Set([...blameCount].filter(([, count]) => count >= KNOWN_BAD_BLAME).map(([name]) => name));
  const failures: FailureAttribution[] = [];
  for (const { episode, suspects } of clean) {
    const blamed = suspects.length === 1 ? suspects : suspects.filter((decision) => knownBad.has(key(decision)));
    for (const decision of blamed) evidence(decision).blamed += 1;
    if (blamed.length > 0) for (const decision of suspects) if (!blamed.includes(decision)) evidence(decision).explained += 1;
    failures.push({ episode, blamed });
  }
  return { options, failures, proven };
}

/**
 * Options a success proves: chosen in a successful episode, and not succeeding clearly less
 * often than the best option of their point (a wrong reading that happened to give the right
 * answer now and then proves nothing).
 */
function provenOptions(episodes: readonly RecordedEpisode[]): Set<string> {
  const raw = new Map<string, { point: string; successes: number; trials: number }>();
  for (const episode of episodes) {
    for (const decision of episode.decisions) {
      const item = raw.get(key(decision)) ?? { point: decision.point, successes: 0, trials: 0 };
      item.trials += 1;
      if (episode.success) item.successes += 1;
      raw.set(key(decision), item);
    }
  }
  const bestLow = new Map<string, number>();
  for (const item of raw.values()) {
    const low = wilsonInterval(item).low;
    if (low > (bestLow.get(item.point) ?? -1)) bestLow.set(item.point, low);
  }
  const proven = new Set<string>();
  for (const [name, item] of raw) {
    if (item.successes > 0 && wilsonInterval(item).high >= (bestLow.get(item.point) ?? 0)) proven.add(name);
  }
  return proven;
}
