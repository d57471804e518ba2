import type { Clock } from "../util/index.js";
import type { IdSequence } from "./id-sequence.js";
import { invalidArgument } from "./invalid-argument.js";
import type { StoredTrajectory, Trajectory, TrajectoryStep } from "./schemas.js";
import { TraceStore } from "./trace-store.js";

/** A step as its caller logs it; the time is added on logging. */
export interface StepInput {
  type: TrajectoryStep["type"];
  description: string;
  result: string;
  tool?: string;
}

/** Which trajectories {@link TrajectoryStore.query} returns. */
export interface TrajectoryFilter {
  agentId?: string;
  taskType?: string;
  status?: Trajectory["status"];
  minScore?: number;
  since?: number;
  /** @default 100 */
  limit?: number;
}

/**
 * The trajectories of task attempts: started, stepped through, completed with their outcome,
 * the oldest dropped past a cap. A completed trajectory's steps live in its trace, in a
 * content-addressed {@link TraceStore}: identical traces are stored once, and each trajectory
 * keeps only the times of its steps. Copies handed out carry the steps.
 */
export class TrajectoryStore {
  private readonly trajectories = new Map<string, StoredTrajectory>();
  private readonly traces = new TraceStore();
  private readonly clock: Clock;
  private readonly ids: IdSequence;

  constructor({ clock, ids }: { clock: Clock; ids: IdSequence }) {
    this.clock = clock;
    this.ids = ids;
  }

  /**
   * The stored trajectory itself (not a copy, and without the steps of a completed one), for
   * the learning loops to annotate.
   *
   * @throws JottyError `invalid_argument` for an unknown id.
   */
  require(id: string): StoredTrajectory {
    const trajectory = this.trajectories.get(id);
    if (trajectory === undefined) throw invalidArgument(`No trajectory "${id}".`);
    return trajectory;
  }

  /** Every stored trajectory, in the order they were started (not copies; see {@link require}). */
  values(): IterableIterator<StoredTrajectory> {
    return this.trajectories.values();
  }

  /** Number of distinct traces stored. */
  get traceCount(): number {
    return this.traces.size;
  }

  /** Starts recording a task attempt; returns its id. */
  start({
    task,
    taskType = "general",
    agentId = "default",
    userId = "default",
    parentId,
    playbook,
  }: {
    task: string;
    taskType?: string;
    agentId?: string;
    userId?: string;
    parentId?: string;
    playbook?: string;
  }): string {
    if (typeof task !== "string" || task.trim() === "") throw invalidArgument("startTrajectory needs the task as text.");
    if (parentId !== undefined) this.require(parentId);
    const id = this.ids.next("t");
    this.trajectories.set(id, {
      id,
      task,
      taskType,
      agentId,
      userId,
      ...(parentId === undefined ? {} : { parentId }),
      ...(playbook === undefined ? {} : { playbook }),
      status: "running",
      startedAt: this.clock.now(),
      metrics: { durationMs: 0, tokens: 0, cost: 0 },
      steps: [],
      feedback: [],
    });
    return id;
  }

  /**
   * Logs a step of a running trajectory.
   *
   * @throws JottyError `invalid_argument` for an unknown or completed trajectory.
   */
  logStep(id: string, step: StepInput): void {
    const trajectory = this.require(id);
    if (trajectory.status !== "running" || trajectory.steps === undefined) throw invalidArgument(`Trajectory ${id} is complete; steps can only be logged while it runs.`);
    if (!["action", "decision", "observation"].includes(step.type)) throw invalidArgument(`A step's type is action, decision or observation, not "${step.type}".`);
    trajectory.steps.push({ type: step.type, description: step.description, result: step.result, ...(step.tool === undefined ? {} : { tool: step.tool }), at: this.clock.now() });
  }

  /**
   * Completes a trajectory; its trace (steps and outcome) goes to the trace store, once
   * whatever the number of trajectories that produced it, and the trajectory keeps only the
   * times of its steps. Returns a copy, with the steps.
   */
  complete(
    id: string,
    { status, score, error, metrics = {} }: { status: "success" | "failure" | "partial"; score?: number; error?: string; metrics?: { tokens?: number; cost?: number } },
  ): Trajectory {
    const trajectory = this.require(id);
    const steps = trajectory.steps;
    if (trajectory.status !== "running" || steps === undefined) throw invalidArgument(`Trajectory ${id} is already complete.`);
    const finalScore = score ?? (status === "success" ? 1 : status === "partial" ? 0.5 : 0);
    if (!(finalScore >= 0 && finalScore <= 1)) throw invalidArgument(`A trajectory's score lies in [0, 1], got ${score}.`);
    const now = this.clock.now();
    const hash = this.traces.store({ task: trajectory.task, steps, status, error: error ?? null });
    delete trajectory.steps;
    Object.assign(trajectory, {
      status,
      score: finalScore,
      ...(error === undefined ? {} : { error }),
      completedAt: now,
      metrics: { durationMs: now - trajectory.startedAt, tokens: metrics.tokens ?? 0, cost: metrics.cost ?? 0 },
      traceHash: hash,
      stepTimes: steps.map((step) => step.at),
    });
    // The steps are at hand: no need to read them back from the trace just written.
    const { stepTimes: _times, steps: _steps, ...rest } = trajectory;
    return { ...structuredClone(rest), steps: structuredClone(steps) };
  }

  /**
   * Keeps at most `max` completed trajectories: drops the oldest, and the traces no kept
   * trajectory uses. Returns the dropped ones, for what only they used to go too.
   */
  dropOldest(max: number): StoredTrajectory[] {
    const completed = [...this.trajectories.values()].filter((trajectory) => trajectory.status !== "running");
    if (completed.length <= max) return [];
    const dropped = completed.sort((a, b) => a.startedAt - b.startedAt || a.id.localeCompare(b.id)).slice(0, completed.length - max);
    for (const trajectory of dropped) this.trajectories.delete(trajectory.id);
    this.traces.keepOnly(new Set([...this.trajectories.values()].map((trajectory) => trajectory.traceHash)));
    return dropped;
  }

  /** The steps of a trajectory (from its trace once complete), with their times. */
  steps(id: string): TrajectoryStep[] {
    return this.stepsOf(this.require(id));
  }

  /** A copy of a trajectory, with its steps. */
  get(id: string): Trajectory {
    return this.copy(this.require(id));
  }

  private stepsOf(trajectory: StoredTrajectory): TrajectoryStep[] {
    if (trajectory.traceHash === undefined) return structuredClone(trajectory.steps ?? []);
    return this.traces.steps(trajectory.traceHash).map((step, index) => ({ ...step, at: trajectory.stepTimes?.[index] ?? trajectory.startedAt }));
  }

  private copy(trajectory: StoredTrajectory): Trajectory {
    const { stepTimes: _times, steps: _steps, ...rest } = trajectory;
    return { ...structuredClone(rest), steps: this.stepsOf(trajectory) };
  }

  /** Copies of the trajectories matching the filters, newest first. */
  query({ agentId, taskType, status, minScore, since, limit = 100 }: TrajectoryFilter = {}): Trajectory[] {
    return [...this.trajectories.values()]
      .filter(
        (trajectory) =>
          (agentId === undefined || trajectory.agentId === agentId) &&
          (taskType === undefined || trajectory.taskType === taskType) &&
          (status === undefined || trajectory.status === status) &&
          (minScore === undefined || (trajectory.score ?? 0) >= minScore) &&
          (since === undefined || trajectory.startedAt >= since),
      )
      .sort((a, b) => b.startedAt - a.startedAt || b.id.localeCompare(a.id))
      .slice(0, limit)
      .map((trajectory) => this.copy(trajectory));
  }

  /** The trajectories as stored and the trace table, for snapshots. */
  snapshot(): { trajectories: StoredTrajectory[]; traces: Record<string, string> } {
    return { trajectories: [...this.trajectories.values()].map((trajectory) => structuredClone(trajectory)), traces: this.traces.snapshot() };
  }

  /** Replaces the contents with a snapshot's. */
  load({ trajectories, traces }: { trajectories: readonly StoredTrajectory[]; traces: Readonly<Record<string, string>> }): void {
    this.trajectories.clear();
    for (const trajectory of trajectories) this.trajectories.set(trajectory.id, trajectory);
    this.traces.load(traces);
  }
}
