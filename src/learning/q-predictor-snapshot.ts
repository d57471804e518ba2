import { z } from "zod";
import { EpsilonScheduleSchema, QPredictorSchema } from "../config/index.js";
import { QEntrySchema } from "./q-entry.js";
import { ReplayExperienceSchema } from "./replay-experience.js";

/** The schema version Q-predictor snapshots are written with. */
export const Q_PREDICTOR_SNAPSHOT_VERSION = 1;

/** A Q-predictor snapshot, version 1. */
export const QPredictorSnapshotSchema = z.strictObject({
  schemaVersion: z.literal(Q_PREDICTOR_SNAPSHOT_VERSION),
  options: z.strictObject({
    alpha: z.number().gt(0).max(1),
    gamma: z.number().min(0).max(1),
    method: z.enum(["q-learning", "sarsa", "expected-sarsa", "monte-carlo"]),
    initialValue: z.number(),
    rewardRange: z.tuple([z.number(), z.number()]).optional(),
    epsilon: EpsilonScheduleSchema,
  }),
  settings: QPredictorSchema,
  embedder: z.string().nullable(),
  episode: z.int().min(0),
  entries: z.array(QEntrySchema),
  buffer: z.array(z.strictObject({ item: ReplayExperienceSchema, priority: z.number().positive() })),
  calibration: z.array(z.strictObject({ predicted: z.number(), observed: z.number() })),
  progress: z.strictObject({ bestReturn: z.number().nullable(), episodesWithoutImprovement: z.int().min(0) }),
  usage: z.strictObject({
    calls: z.int().min(0),
    failures: z.int().min(0),
    rejected: z.int().min(0).default(0),
    skipped: z.int().min(0),
    inputTokens: z.int().min(0),
    outputTokens: z.int().min(0),
  }),
});

/** A Q-predictor snapshot: plain JSON. */
export type QPredictorSnapshot = z.infer<typeof QPredictorSnapshotSchema>;
