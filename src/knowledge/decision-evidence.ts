import { z } from "zod";
import { betaSample } from "../learning/math/index.js";
import { parseSnapshot, type Rng } from "../util/index.js";
import type { OptionEvidence, RecordedEpisode } from "./attribute-outcomes.js";
import type { KnowledgeLesson } from "./derive-lessons.js";
import type { DecisionPoint } from "./decision-point.js";
import { EvidenceLedger, type KnowledgeView } from "./evidence-ledger.js";

const PointSchema = z.strictObject({ key: z.string(), label: z.string(), situation: z.string(), options: z.array(z.string()), named: z.boolean() });

const EpisodeSchema = z.strictObject({
  episode: z.int().min(0),
  taskType: z.string(),
  success: z.boolean(),
  return: z.number(),
  outcome: z.string(),
  decisions: z.array(z.strictObject({ point: z.string(), chosen: z.string() })),
});

/** The decision evidence's state, for the Vault. */
export const DecisionEvidenceSnapshotSchema = z.strictObject({
  schemaVersion: z.literal(1),
  points: z.array(PointSchema),
  episodes: z.array(EpisodeSchema),
  /** Lessons in force at the last record, by key, so a retraction is seen across runs. */
  active: z.array(z.string()),
  retracted: z.array(z.strictObject({ text: z.string(), episode: z.int().min(0) })),
  retractions: z.int().min(0),
});

/** A decision evidence snapshot. */
export type DecisionEvidenceSnapshot = z.infer<typeof DecisionEvidenceSnapshotSchema>;

export type { KnowledgeView } from "./evidence-ledger.js";

/** Options of {@link DecisionEvidence}. */
export interface DecisionEvidenceOptions {
  /** Episodes kept; the oldest go first. @default 5000 */
  maxEpisodes?: number;
}

const MAX_RETRACTED = 50;
const lessonKey = (lesson: KnowledgeLesson): string => `${lesson.kind}\u0000${lesson.point}\u0000${lesson.option}`;

/**
 * Contrastive evidence per decision point: for each situation an actor decided in, the
 * outcomes of each option it took, with failures attributed by minimal pairs (see
 * `attributeOutcomes`). Lessons, procedures, causes and meta statements are derived from it
 * and nothing else, so a lesson goes when its evidence turns (counted as a retraction). What
 * is derived is kept up to date episode by episode (see {@link EvidenceLedger}), so recording
 * costs what the episode changes, not the length of the history.
 */
export class DecisionEvidence {
  private readonly points = new Map<string, DecisionPoint>();
  private ledger = new EvidenceLedger(this.points);
  private active = new Set<string>();
  private retracted: Array<{ text: string; episode: number }> = [];
  private retractions = 0;
  private readonly maxEpisodes: number;

  constructor({ maxEpisodes = 5000 }: DecisionEvidenceOptions = {}) {
    this.maxEpisodes = maxEpisodes;
  }

  /** Episodes recorded (and kept). */
  get size(): number {
    return this.ledger.list.length;
  }

  /** The decision point with this key, when one was recorded. */
  point(key: string): DecisionPoint | undefined {
    const point = this.points.get(key);
    return point === undefined ? undefined : { ...point, options: [...point.options] };
  }

  /**
   * Records what an episode decided and how it ended. Only the last choice at each point counts
   * (an earlier one that was sent back did not shape the outcome); points without a choice are
   * left out. Returns the lessons it retracted and the points this episode's failure is blamed on.
   */
  record({
    episode,
    taskType,
    success,
    return: episodeReturn,
    outcome,
    decisions,
  }: {
    episode: number;
    taskType: string;
    success: boolean;
    return: number;
    outcome: string;
    decisions: ReadonlyArray<{ point: DecisionPoint; chosen: string }>;
  }): { retracted: string[]; blamed: string[] } {
    const last = new Map<string, string>();
    for (const { point, chosen } of decisions) {
      if (!point.options.includes(chosen)) continue;
      if (!this.points.has(point.key)) this.points.set(point.key, { ...point, options: [...point.options] });
      last.delete(point.key);
      last.set(point.key, chosen);
    }
    const recorded: RecordedEpisode = {
      episode,
      taskType,
      success,
      return: Number.isFinite(episodeReturn) ? episodeReturn : 0,
      outcome,
      decisions: [...last].map(([point, chosen]) => ({ point, chosen })),
    };
    this.ledger.add(recorded);
    while (this.ledger.list.length > this.maxEpisodes) this.ledger.dropOldest();
    const blamed = this.ledger.failureOf(recorded)?.blamed.map((decision) => decision.point) ?? [];
    const now = new Map(this.knowledge().lessons.map((lesson) => [lessonKey(lesson), lesson]));
    const gone = [...this.active].filter((name) => !now.has(name));
    const texts = gone.map((name) => {
      const [kind, point, option] = name.split("\u0000");
      const situation = this.points.get(point ?? "")?.situation ?? "";
      return `${kind === "use" ? "USE" : "AVOID"} "${option}" when ${situation}`;
    });
    for (const text of texts) this.retracted.push({ text, episode });
    if (this.retracted.length > MAX_RETRACTED) this.retracted.splice(0, this.retracted.length - MAX_RETRACTED);
    this.retractions += gone.length;
    this.active = new Set(now.keys());
    return { retracted: texts, blamed };
  }

  /**
   * Lessons, procedures, causes and meta statements from the evidence (brought up to date once
   * per change). The view reads the evidence as it is: take what you need from it before the
   * next `record`.
   */
  knowledge(): KnowledgeView {
    return this.ledger.knowledge();
  }

  /** Per-option outcomes at a point. */
  optionsAt(point: string): OptionEvidence[] {
    return [...(this.knowledge().attribution.options.get(point)?.values() ?? [])].map((item) => ({ ...item }));
  }

  /** The confident `use` lesson of a point, if there is one. */
  rule(point: string): KnowledgeLesson | undefined {
    return this.knowledge().lessons.find((lesson) => lesson.kind === "use" && lesson.point === point);
  }

  /**
   * Thompson sampling over the point's evidence: each option draws from Beta(1 + right,
   * 1 + blamed) and the highest draw wins, so untried options are tried and options that fail
   * are left. Used to explore on behalf of an actor that always takes the obvious reading.
   */
  explore({ point, options, rng }: { point: string; options: readonly string[]; rng: Rng }): string {
    const known = this.knowledge().attribution.options.get(point);
    let best = options[0] as string;
    let bestDraw = -1;
    for (const option of options) {
      const item = known?.get(option);
      const draw = betaSample(rng, 1 + (item?.successes ?? 0), 1 + (item?.blamed ?? 0));
      if (draw > bestDraw) {
        bestDraw = draw;
        best = option;
      }
    }
    return best;
  }

  /** Whether an option is proven at a point: successes chose it, and it does not clearly trail the point's best. */
  proven(point: string, option: string): boolean {
    return this.knowledge().attribution.proven.has(`${point}\u0000${option}`);
  }

  /** The proven option of a point with the most successes, if any. */
  bestProven({ point, options }: { point: string; options: readonly string[] }): string | undefined {
    const known = this.knowledge().attribution.options.get(point);
    return options
      .filter((option) => this.proven(point, option))
      .sort((a, b) => (known?.get(b)?.successes ?? 0) - (known?.get(a)?.successes ?? 0) || a.localeCompare(b))[0];
  }

  /**
   * An option verified by its record at a point: proven, right at least `successes` times and
   * never to blame, with no alternative that also works. Undefined when there is none.
   */
  verified({ point, options, successes = 5 }: { point: string; options: readonly string[]; successes?: number }): string | undefined {
    const known = this.knowledge().attribution.options.get(point);
    if (known === undefined) return undefined;
    const working = options.filter((option) => this.proven(point, option));
    if (working.length !== 1) return undefined;
    const item = known.get(working[0] as string);
    return item !== undefined && item.successes >= successes && item.blamed === 0 ? item.option : undefined;
  }

  /**
   * The option to probe at a point, for a minimal pair: where some option is proven but no rule
   * holds yet, the alternative with the least attributable evidence (fewer than `enough`
   * successes and blamed failures, never proven itself). Undefined when nothing needs probing.
   */
  probe({ point, options, rng, enough = 5 }: { point: string; options: readonly string[]; rng: Rng; enough?: number }): string | undefined {
    if (this.rule(point) !== undefined) return undefined;
    const known = this.knowledge().attribution.options.get(point);
    if (known === undefined || ![...known.keys()].some((option) => this.proven(point, option))) return undefined;
    const weight = (option: string): number => {
      const item = known.get(option);
      return item === undefined ? 0 : item.successes + item.blamed;
    };
    const open = options.filter((option) => !this.proven(point, option) && weight(option) < enough);
    if (open.length === 0) return undefined;
    const least = Math.min(...open.map(weight));
    return rng.choice(open.filter((option) => weight(option) === least));
  }

  /** Episodes, points, lessons in force and retractions so far. */
  stats(): { episodes: number; points: number; lessons: number; retractions: number; retracted: Array<{ text: string; episode: number }> } {
    return {
      episodes: this.ledger.list.length,
      points: this.points.size,
      lessons: this.knowledge().lessons.length,
      retractions: this.retractions,
      retracted: this.retracted.map((item) => ({ ...item })),
    };
  }

  snapshot(): DecisionEvidenceSnapshot {
    return {
      schemaVersion: 1,
      points: [...this.points.values()].map((point) => ({ ...point, options: [...point.options] })),
      episodes: this.ledger.list.map((episode) => ({ ...episode, decisions: episode.decisions.map((decision) => ({ ...decision })) })),
      active: [...this.active],
      retracted: this.retracted.map((item) => ({ ...item })),
      retractions: this.retractions,
    };
  }

  /**
   * Takes the state of a snapshot.
   *
   * @throws JottyError `snapshot_invalid` or `snapshot_version_unsupported`; nothing changes.
   */
  restoreState(snapshot: unknown): void {
    const data = parseSnapshot({ schema: DecisionEvidenceSnapshotSchema, snapshot, version: 1, what: "decision evidence" });
    this.points.clear();
    for (const point of data.points) this.points.set(point.key, point);
    this.ledger = new EvidenceLedger(this.points);
    for (const episode of data.episodes) this.ledger.add(episode);
    this.active = new Set(data.active);
    this.retracted = data.retracted;
    this.retractions = data.retractions;
  }
}
