import { z } from "zod";

const unit = z.number().min(0).max(1);

/** One logged step of a trajectory. */
export const TrajectoryStepSchema = z.strictObject({
  type: z.enum(["action", "decision", "observation"]),
  description: z.string(),
  result: z.string(),
  /** The tool used, when the step used one. */
  tool: z.string().optional(),
  at: z.number(),
});

/** One piece of feedback on a trajectory. */
export const FeedbackSchema = z.strictObject({
  id: z.string(),
  type: z.enum(["human", "monitoring", "ab_test", "production"]),
  score: unit,
  source: z.string(),
  message: z.string(),
  metrics: z.record(z.string(), z.number()),
  at: z.number(),
});

/** A task attempt, from start to outcome. */
export const TrajectorySchema = z.strictObject({
  id: z.string(),
  task: z.string(),
  taskType: z.string(),
  agentId: z.string(),
  userId: z.string(),
  parentId: z.string().optional(),
  /** Playbook whose strategies it used and which its reflections curate. */
  playbook: z.string().optional(),
  status: z.enum(["running", "success", "failure", "partial"]),
  score: unit.optional(),
  error: z.string().optional(),
  startedAt: z.number(),
  completedAt: z.number().optional(),
  metrics: z.strictObject({ durationMs: z.number().min(0), tokens: z.number().min(0), cost: z.number().min(0) }),
  /** The steps; once complete, read from its trace in the content-addressed trace store. */
  steps: z.array(TrajectoryStepSchema),
  /** Once complete: the sha256 of its trace. */
  traceHash: z.string().optional(),
  feedback: z.array(FeedbackSchema),
  relearning: z.strictObject({ reason: z.string(), priority: z.int().min(0).max(10), markedAt: z.number() }).optional(),
  reflectionId: z.string().optional(),
});

/**
 * A trajectory as a snapshot stores it: while it runs, with its steps; once complete, without
 * them: its trace (shared by every trajectory with the same steps and outcome) holds them, and
 * the trajectory keeps only the time of each.
 */
export const StoredTrajectorySchema = TrajectorySchema.omit({ steps: true })
  .extend({
    /** While running: the steps logged so far. */
    steps: z.array(TrajectoryStepSchema).optional(),
    /** Once complete: when each step of its trace was logged, in order. */
    stepTimes: z.array(z.number()).optional(),
  })
  .superRefine((trajectory, context) => {
    const running = trajectory.status === "running";
    const problem = running
      ? trajectory.steps === undefined || trajectory.traceHash !== undefined || trajectory.stepTimes !== undefined
        ? "a running trajectory has its steps, and no traceHash or stepTimes"
        : undefined
      : trajectory.steps !== undefined || trajectory.traceHash === undefined || trajectory.stepTimes === undefined
        ? "a completed trajectory has a traceHash and stepTimes, and no steps of its own"
        : undefined;
    if (problem !== undefined) context.addIssue({ code: "custom", message: `${trajectory.id}: ${problem}` });
  });

/** What a reflection found. */
export const ReflectionSchema = z.strictObject({
  id: z.string(),
  trajectoryId: z.string(),
  helpfulStrategies: z.array(z.strictObject({ description: z.string(), evidence: z.string(), confidence: unit })),
  harmfulPatterns: z.array(z.strictObject({ description: z.string(), evidence: z.string(), impact: z.enum(["low", "medium", "high"]), confidence: unit })),
  observations: z.array(z.strictObject({ description: z.string(), relevance: unit })),
  /** The score the reflection judged the outcome by (the effective score when feedback exists). */
  score: unit,
  source: z.enum(["rules", "llm"]),
  at: z.number(),
});

/** A stored reflection memory, candidate for consolidation. */
export const ReflectionMemorySchema = z.strictObject({
  id: z.string(),
  content: z.string(),
  importance: unit,
  at: z.number(),
  archived: z.boolean(),
  consolidated: z.boolean(),
  sources: z.array(z.string()),
});

/** A strategy of a playbook. */
export const StrategySchema = z.strictObject({
  id: z.string(),
  type: z.enum(["helpful", "harmful", "neutral"]),
  description: z.string(),
  evidence: z.array(z.string()),
  confidence: unit,
  helpfulCount: z.int().min(0),
  harmfulCount: z.int().min(0),
  sourceTrajectories: z.array(z.string()),
  lastReinforced: z.number(),
  retired: z.boolean(),
});

/** Who a playbook is for. */
export const ScopeSchema = z.strictObject({
  kind: z.enum(["agent", "user", "tenant", "global"]),
  id: z.string().optional(),
});

/** One version of a playbook. */
export const PlaybookVersionSchema = z.strictObject({
  name: z.string(),
  scope: ScopeSchema,
  version: z.int().positive(),
  strategies: z.array(StrategySchema),
  usage: z.strictObject({ count: z.int().min(0), successRate: unit, improvement: z.number() }),
  at: z.number(),
  note: z.string(),
});

/** One version of a playbook as the change from the version before it. */
export const PlaybookChangeSchema = z.strictObject({
  version: z.int().positive(),
  at: z.number(),
  note: z.string(),
  scope: PlaybookVersionSchema.shape.scope.optional(),
  usage: PlaybookVersionSchema.shape.usage,
  /** Strategies added or changed, whole. */
  set: z.array(StrategySchema),
  /** Ids of strategies gone. */
  removed: z.array(z.string()),
  /** The strategies' order, by id. */
  order: z.array(z.string()),
});

/** A playbook's kept versions, stored as the oldest in full and each later one as a change. */
export const PlaybookHistorySchema = z.strictObject({
  base: PlaybookVersionSchema,
  changes: z.array(PlaybookChangeSchema),
  /** Trajectory id → the strategies its evidence was counted for (so curating it again counts nothing twice). */
  counted: z.record(z.string(), z.array(z.string())),
});

/** A known way out of an error. */
export const ErrorSolutionSchema = z.strictObject({
  id: z.string(),
  errorType: z.string(),
  message: z.string(),
  context: z.string(),
  approach: z.string(),
  steps: z.array(z.string()),
  successes: z.int().min(0),
  failures: z.int().min(0),
  at: z.number(),
});

/** The Experience snapshot version this Jotty writes. */
export const EXPERIENCE_SNAPSHOT_VERSION = 3;

/**
 * Everything the Experience module holds, in the version this Jotty writes. Version 3 keeps
 * the steps of a completed trajectory only in its trace (once for identical traces); version
 * 2 stored each playbook as a history of changes; older versions are brought to this one by
 * `migrateExperienceSnapshot`. Playbooks as lists of whole versions (version 1) still load.
 */
export const ExperienceSnapshotSchema = z
  .strictObject({
    schemaVersion: z.literal(EXPERIENCE_SNAPSHOT_VERSION),
    counter: z.int().min(0),
    trajectories: z.array(StoredTrajectorySchema),
    /** sha256 → the JSON of a completed trace: task, steps without their times, status and error. */
    traces: z.record(z.string(), z.string()),
    reflections: z.array(ReflectionSchema),
    reflectionMemories: z.array(ReflectionMemorySchema),
    playbooks: z.record(z.string(), z.union([PlaybookHistorySchema, z.array(PlaybookVersionSchema)])),
    solutions: z.array(ErrorSolutionSchema),
  })
  .superRefine((snapshot, context) => {
    for (const trajectory of snapshot.trajectories) {
      if (trajectory.traceHash !== undefined && snapshot.traces[trajectory.traceHash] === undefined) {
        context.addIssue({ code: "custom", path: ["traces"], message: `${trajectory.id}: no trace ${trajectory.traceHash}` });
      }
    }
  });

export type TrajectoryStep = z.infer<typeof TrajectoryStepSchema>;
export type Feedback = z.infer<typeof FeedbackSchema>;
export type Trajectory = z.infer<typeof TrajectorySchema>;
export type StoredTrajectory = z.infer<typeof StoredTrajectorySchema>;
export type Reflection = z.infer<typeof ReflectionSchema>;
export type ReflectionMemory = z.infer<typeof ReflectionMemorySchema>;
export type Strategy = z.infer<typeof StrategySchema>;
export type PlaybookScope = z.infer<typeof ScopeSchema>;
export type PlaybookVersion = z.infer<typeof PlaybookVersionSchema>;
export type PlaybookChange = z.infer<typeof PlaybookChangeSchema>;
export type PlaybookHistory = z.infer<typeof PlaybookHistorySchema>;
export type ErrorSolution = z.infer<typeof ErrorSolutionSchema>;
export type ExperienceSnapshot = z.infer<typeof ExperienceSnapshotSchema>;
