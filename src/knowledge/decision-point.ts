import { createHash } from "node:crypto";
import { LRUCache } from "lru-cache";

/** A situation an actor decides in, and the options it had there. */
export interface DecisionPoint {
  /** Stable key: the decision's name, its situation and its sorted options. */
  key: string;
  /** What kind of decision it is (the environment's `info.decision`, else the situation). */
  label: string;
  /** The situation in a few words, as lessons quote it ("the question names no status"). */
  situation: string;
  options: string[];
  /** The environment named the decision (`info.decision`): its points are few and stable enough to probe. */
  named: boolean;
}

const MAX_SITUATION = 160;

/** The first sentence of an observation, without its full stop, first letter in lower case. */
function firstSentence(observation: string): string {
  const sentence = (observation.trim().split(/(?<=[.?!])\s/, 1)[0] ?? "").replace(/[.]$/, "");
  const short = sentence.length > MAX_SITUATION ? `${sentence.slice(0, MAX_SITUATION - 1)}…` : sentence;
  return short.charAt(0).toLowerCase() + short.slice(1);
}

/** Recent points by what they are made from: an episode meets the same few points step after step. */
const recent = new LRUCache<string, DecisionPoint | "none">({ max: 4096 });

/** The point made from an observation, its actions and the environment's decision and situation (fresh each time). */
function pointFrom(observation: string, actions: readonly string[], decision: string, situation: string): DecisionPoint | undefined {
  const options = [...new Set(actions)].sort();
  if (options.length < 2) return undefined;
  const described = situation !== "" ? situation : firstSentence(observation);
  const named = decision !== "";
  const label = named ? decision : described;
  const key = createHash("sha256").update(JSON.stringify([label, described, options])).digest("hex").slice(0, 16);
  return Object.freeze({ key, label, situation: described, options: Object.freeze(options) as string[], named });
}

/**
 * The decision point of a step, or undefined where there was nothing to choose (fewer than two
 * options). Environments may name the decision (`info.decision`) and describe its situation
 * (`info.situation`); without them the observation's first sentence is the situation.
 */
export function decisionPointOf({
  observation,
  actions,
  info = {},
}: {
  observation: string;
  actions: readonly string[];
  info?: Readonly<Record<string, unknown>>;
}): DecisionPoint | undefined {
  const decision = typeof info.decision === "string" ? info.decision.trim() : "";
  const situation = typeof info.situation === "string" ? info.situation.trim() : "";
  // The point is a function of these four: one met before is taken from the cache (frozen, so shared safely).
  const identity = JSON.stringify([decision, situation, observation, actions]);
  const cached = recent.get(identity);
  if (cached !== undefined) return cached === "none" ? undefined : cached;
  const point = pointFrom(observation, actions, decision, situation);
  recent.set(identity, point ?? "none");
  return point;
}
