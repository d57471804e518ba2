import { z } from "zod";
import { OwnerSchema, type Owner } from "../util/index.js";
import { addLesson, LessonSchema, type Lesson, type LessonKind } from "./lessons.js";

/** zod schema of one entry of the Q-table, as snapshots store it. */
export const QEntrySchema = z.strictObject({
  state: z.string(),
  action: z.string(),
  value: z.number().refine(Number.isFinite, "must be finite"),
  visits: z.int().min(0),
  averageReward: z.number(),
  tdErrors: z.array(z.number()),
  lessons: z.array(LessonSchema),
  createdEpisode: z.int().min(0),
  lastUpdatedEpisode: z.int().min(0),
  tier: z.union([z.literal(1), z.literal(2), z.literal(3)]),
  promoted: z.boolean(),
  /** The actor (and user, tenant) whose decision created the entry. */
  owner: OwnerSchema.optional(),
});

/** One entry of the Q-table. */
export type QEntry = z.infer<typeof QEntrySchema>;

/** A new entry of a pair, at `value`, created (and last updated) in `episode`, owned by `owner` when one is named. */
export function newQEntry({ state, action, value, episode, owner }: { state: string; action: string; value: number; episode: number; owner: Owner | undefined }): QEntry {
  return {
    state,
    action,
    value,
    visits: 0,
    averageReward: 0,
    tdErrors: [],
    lessons: [],
    createdEpisode: episode,
    lastUpdatedEpisode: episode,
    tier: 3,
    promoted: false,
    ...(owner === undefined || Object.keys(owner).length === 0 ? {} : { owner: { ...owner } }),
  };
}

const TD_ERRORS_KEPT = 10;

/** Options of {@link recordStep}. */
export interface RecordStepOptions {
  /** The entry's new value. */
  value: number;
  reward: number;
  tdError: number;
  /** Whether the step counts as a visit (into visits and the average reward). */
  visit: boolean;
  episode: number;
  /** The lesson the step taught, if any. */
  lesson: { kind: LessonKind; text: string } | undefined;
  /** Lessons kept at most. */
  lessonsPerEntry: number;
}

/**
 * Records a learning step on an entry (in place): its new value, the visit and reward when it
 * counts as one, the TD error (the last ten are kept), the episode, and the lesson taught; an
 * entry learned from is no longer a promoted one.
 *
 * @returns the entry's lesson of the kind taught, as kept.
 */
export function recordStep(entry: QEntry, { value, reward, tdError, visit, episode, lesson, lessonsPerEntry }: RecordStepOptions): Lesson | undefined {
  entry.value = value;
  if (visit) {
    entry.visits += 1;
    entry.averageReward += (reward - entry.averageReward) / entry.visits;
  }
  entry.tdErrors = [...entry.tdErrors, tdError].slice(-TD_ERRORS_KEPT);
  entry.lastUpdatedEpisode = episode;
  entry.promoted = false;
  if (lesson === undefined) return undefined;
  entry.lessons = addLesson(entry.lessons, lesson, episode, lessonsPerEntry);
  return entry.lessons.find((candidate) => candidate.kind === lesson.kind);
}
