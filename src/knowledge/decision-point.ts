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
  const sentence = (observation.trim().split(/(?<=[.?!])\s/)[0] ?? "").replace(/[.]$/, "");
  const short = sentence.length > MAX_SITUATION ? `${sentence.slice(0, MAX_SITUATION - 1)}…` : sentence;
  return short.charAt(0).toLowerCase() + short.slice(1);
}

/** Keys of recent points: an episode meets the same few points step after step. */
const keys = new LRUCache<string, string>({ max: 4096 });

/** A point's key: the first 16 hex digits of the sha256 of its name, situation and options. */
function keyOf(identity: string): string {
  let key = keys.get(identity);
  if (key === undefined) {
    key = createHash("sha256").update(identity).digest("hex").slice(0, 16);
    keys.set(identity, key);
  }
  return key;
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
  const options = [...new Set(actions)].sort();
  if (options.length < 2) return undefined;
  const situation = typeof info.situation === "string" && info.situation.trim() !== "" ? info.situation.trim() : firstSentence(observation);
  const label = typeof info.decision === "string" && info.decision.trim() !== "" ? info.decision.trim() : situation;
  const key = keyOf(JSON.stringify([label, situation, options]));
  return { key, label, situation, options, named: typeof info.decision === "string" && info.decision.trim() !== "" };
}
