import { z } from "zod";
import { QEntrySchema } from "./q-entry.js";
import { ReplayExperienceSchema } from "./replay-experience.js";

/** The schema version Q-predictor snapshots are written with. */
export const Q_PREDICTOR_SNAPSHOT_VERSION = 2;

/** What a predictor learned: the same in every version. */
const learned = {
  /** The embedder the entries were valued with (informational: vectors are recomputed on restore). */
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
};

const SnapshotV2Schema = z.strictObject({ schemaVersion: z.literal(2), ...learned });

/**
 * Version 1 also held the settings the predictor was trained with (`options`: α, γ, method,
 * initial value, reward range, ε schedule; `settings`: its `qPredictor` section). Settings
 * come from the config, never from a snapshot, so they are read past and dropped.
 */
const SnapshotV1Schema = z
  .strictObject({
    schemaVersion: z.literal(1),
    options: z.record(z.string(), z.unknown()),
    settings: z.record(z.string(), z.unknown()),
    ...learned,
  })
  .transform(({ options: _options, settings: _settings, ...data }) => ({ ...data, schemaVersion: 2 as const }));

/**
 * A Q-predictor snapshot: learned data only (entries, replay buffer, calibration pairs,
 * progress, model usage), never settings. Reads version 2, and version 1 (whose stored
 * settings are dropped) as version 2.
 */
export const QPredictorSnapshotSchema = z.discriminatedUnion("schemaVersion", [SnapshotV2Schema, SnapshotV1Schema]);

/** A Q-predictor snapshot: plain JSON. */
export type QPredictorSnapshot = z.output<typeof QPredictorSnapshotSchema>;
