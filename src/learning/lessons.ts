import { z } from "zod";

/** What a lesson says about a (state, action) pair. */
export const LessonKindSchema = z.enum(["learned", "avoid", "discovery", "caution"]);

/** One of `learned`, `avoid`, `discovery`, `caution`. */
export type LessonKind = z.infer<typeof LessonKindSchema>;

/** A lesson kept with a Q entry; one per kind, counted when it recurs. */
export const LessonSchema = z.strictObject({
  kind: LessonKindSchema,
  text: z.string(),
  count: z.int().positive(),
  lastEpisode: z.int().min(0),
});

/** A lesson kept with a Q entry. */
export type Lesson = z.infer<typeof LessonSchema>;

function format(value: number): string {
  return `${value >= 0 ? "+" : "−"}${Math.abs(value).toFixed(2)}`;
}

/**
 * The lesson a TD error teaches, if any (only when |δ| > 0.1): a normalised reward above 0.7
 * is LEARNED, below 0.3 AVOID; otherwise δ > 0.2 is a DISCOVERY and δ < −0.2 a CAUTION.
 *
 * @param normalizedReward - the reward mapped onto [0, 1].
 */
export function lessonFor({
  state,
  action,
  reward,
  normalizedReward,
  tdError,
}: {
  state: string;
  action: string;
  reward: number;
  normalizedReward: number;
  tdError: number;
}): { kind: LessonKind; text: string } | undefined {
  if (Math.abs(tdError) <= 0.1) return undefined;
  if (normalizedReward > 0.7) return { kind: "learned", text: `LEARNED: "${action}" works when ${state} (reward ${format(reward)})` };
  if (normalizedReward < 0.3) return { kind: "avoid", text: `AVOID: "${action}" when ${state} (reward ${format(reward)})` };
  if (tdError > 0.2) return { kind: "discovery", text: `DISCOVERY: "${action}" when ${state} did better than expected (δ ${format(tdError)})` };
  if (tdError < -0.2) return { kind: "caution", text: `CAUTION: "${action}" when ${state} did worse than expected (δ ${format(tdError)})` };
  return undefined;
}

/**
 * Adds a lesson to an entry's list without duplicating it: a lesson of a kind already there is
 * counted and refreshed; beyond `limit` lessons the least recent goes.
 */
export function addLesson(lessons: readonly Lesson[], lesson: { kind: LessonKind; text: string }, episode: number, limit: number): Lesson[] {
  const existing = lessons.find((candidate) => candidate.kind === lesson.kind);
  const next = existing
    ? lessons.map((candidate) =>
        candidate === existing ? { ...candidate, text: lesson.text, count: candidate.count + 1, lastEpisode: episode } : candidate,
      )
    : [...lessons, { ...lesson, count: 1, lastEpisode: episode }];
  return next.sort((a, b) => b.lastEpisode - a.lastEpisode).slice(0, limit);
}
