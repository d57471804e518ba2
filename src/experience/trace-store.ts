import { createHash } from "node:crypto";
import type { Trajectory, TrajectoryStep } from "./schemas.js";

/** What a completed trace records: the task, the steps (without their times) and the outcome. */
export interface TraceContent {
  task: string;
  steps: Array<Omit<TrajectoryStep, "at">>;
  status: Exclude<Trajectory["status"], "running">;
  error: string | null;
}

/**
 * Completed traces, content-addressed: each is kept once under the sha256 of its JSON,
 * whatever the number of trajectories that produced it.
 */
export class TraceStore {
  private readonly traces = new Map<string, string>();

  /** Number of distinct traces. */
  get size(): number {
    return this.traces.size;
  }

  /** Stores a trace unless the same one is stored already; returns its hash. */
  store(content: TraceContent): string {
    const trace = JSON.stringify({
      task: content.task,
      steps: content.steps.map(({ type, description, result, tool }) => ({ type, description, result, ...(tool === undefined ? {} : { tool }) })),
      status: content.status,
      error: content.error,
    });
    const hash = createHash("sha256").update(trace).digest("hex");
    if (!this.traces.has(hash)) this.traces.set(hash, trace);
    return hash;
  }

  /** The steps of a stored trace, in order, without their times. */
  steps(hash: string): Array<Omit<TrajectoryStep, "at">> {
    const trace = this.traces.get(hash);
    if (trace === undefined) return [];
    return (JSON.parse(trace) as { steps: Array<Omit<TrajectoryStep, "at">> }).steps;
  }

  /** Drops every trace whose hash is not in `used`. */
  keepOnly(used: ReadonlySet<string | undefined>): void {
    for (const hash of [...this.traces.keys()]) if (!used.has(hash)) this.traces.delete(hash);
  }

  /** Hash → the JSON of its trace, for snapshots. */
  snapshot(): Record<string, string> {
    return Object.fromEntries(this.traces);
  }

  /** Replaces the contents with a snapshot's. */
  load(traces: Readonly<Record<string, string>>): void {
    this.traces.clear();
    for (const [hash, trace] of Object.entries(traces)) this.traces.set(hash, trace);
  }
}
