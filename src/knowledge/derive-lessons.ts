import { wilsonInterval } from "../learning/math/index.js";
import type { OptionEvidence } from "./attribute-outcomes.js";
import type { DecisionPoint } from "./decision-point.js";

/** A lesson drawn from contrastive evidence: use one option, or avoid one. */
export interface KnowledgeLesson {
  kind: "use" | "avoid";
  point: string;
  label: string;
  situation: string;
  /** The option to use, or the one to avoid. */
  option: string;
  /** For `use`: the options it beats; for `avoid`: the better option, when one is known. */
  instead: string[];
  /** How sure: the lower 95% bound of the used option's rate, or one minus the upper bound of the avoided one's. */
  confidence: number;
  /** The counts behind it, e.g. `filter dates on dt: 14/14 right; filter dates on ts: 0/9 right`. */
  evidence: string;
  /** The lesson as a prompt line. */
  text: string;
}

/** A used option needs this many successes before it becomes a rule. */
const MIN_SUCCESSES = 3;
/** An option fails with 95% confidence when the upper bound of its rate is below this. */
const FAILS_BELOW = 0.5;

const attributable = (item: OptionEvidence): number => item.successes + item.blamed;
const bounds = (item: OptionEvidence) => wilsonInterval({ successes: item.successes, trials: attributable(item) });
const counts = (items: readonly OptionEvidence[]): string => items.map((item) => `${item.option}: ${item.successes}/${attributable(item)} right`).join("; ");

/**
 * The lessons of one decision point, at most one about each option and never a `use` and an
 * `avoid` of one option: USE X (not Y) when X's rate beats every tried alternative's with 95%
 * confidence; otherwise AVOID Y when Y is reliably worse than the best option, or fails with
 * 95% confidence whatever else was chosen (while some other option may work).
 */
export function lessonsOfPoint(point: DecisionPoint, options: ReadonlyMap<string, OptionEvidence>): KnowledgeLesson[] {
  const tried = [...options.values()].filter((item) => attributable(item) > 0 && point.options.includes(item.option));
  if (tried.length === 0) return [];
  const ranked = [...tried].sort((a, b) => bounds(b).low - bounds(a).low || b.successes - a.successes || a.option.localeCompare(b.option));
  const best = ranked[0] as OptionEvidence;
  const others = ranked.slice(1);
  const bestLow = bounds(best).low;
  const worse = others.filter((item) => bounds(item).high < bestLow);
  const base = { point: point.key, label: point.label, situation: point.situation };
  // A rule once the best option has enough successes and no tried alternative may be as good.
  const rivals = others.filter((item) => !worse.includes(item) && item.successes > 0);
  if (best.successes >= MIN_SUCCESSES && worse.length > 0 && rivals.length === 0) {
    const evidence = counts([best, ...worse]);
    const not = worse.map((item) => `"${item.option}"`).join(", ");
    return [
      {
        ...base,
        kind: "use",
        option: best.option,
        instead: worse.map((item) => item.option),
        confidence: bestLow,
        evidence,
        text: `USE "${best.option}" (not ${not}) when ${point.situation} — ${evidence}`,
      },
    ];
  }
  const lessons: KnowledgeLesson[] = [];
  const alternativeMayWork = (item: OptionEvidence): boolean => point.options.some((option) => option !== item.option && !isHopeless(options.get(option)));
  for (const item of others.length > 0 ? [best, ...others] : [best]) {
    const high = bounds(item).high;
    const beaten = item !== best && high < bestLow && best.successes > 0;
    const fails = item.successes === 0 && high < FAILS_BELOW && alternativeMayWork(item);
    if (!beaten && !fails) continue;
    const evidence = beaten ? counts([item, best]) : counts([item]);
    lessons.push({
      ...base,
      kind: "avoid",
      option: item.option,
      instead: beaten ? [best.option] : [],
      confidence: 1 - high,
      evidence,
      text: `AVOID "${item.option}" when ${point.situation} — ${evidence}`,
    });
  }
  return lessons;
}

function isHopeless(item: OptionEvidence | undefined): boolean {
  return item !== undefined && item.successes === 0 && bounds(item).high < FAILS_BELOW;
}
