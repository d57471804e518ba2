import { performance } from "node:perf_hooks";
import { LatencyHistogram, type LatencySummary } from "./latency-histogram.js";

/** The operations on learned state whose latency is measured. */
export const TIMED_OPERATIONS = ["retrieve", "store", "predict", "save", "load"] as const;

/** One of {@link TIMED_OPERATIONS}. */
export type TimedOperation = (typeof TIMED_OPERATIONS)[number];

/**
 * Latency histograms of the operations on learned state. Components given one (memory,
 * Q-predictor, Vault) time their public operations into it; the Conductor reads it for
 * `metrics()`. Timing uses the monotonic `performance.now()`, never the injected clock.
 */
export class Telemetry {
  private readonly histograms = new Map<TimedOperation, LatencyHistogram>(
    TIMED_OPERATIONS.map((operation) => [operation, new LatencyHistogram()]),
  );

  /** Records one latency in milliseconds. */
  record(operation: TimedOperation, milliseconds: number): void {
    (this.histograms.get(operation) as LatencyHistogram).record(milliseconds);
  }

  /** Runs `work` and records how long it took, whether it resolved or threw. */
  async time<T>(operation: TimedOperation, work: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await work();
    } finally {
      this.record(operation, performance.now() - started);
    }
  }

  /** Runs synchronous `work` and records how long it took. */
  timeSync<T>(operation: TimedOperation, work: () => T): T {
    const started = performance.now();
    try {
      return work();
    } finally {
      this.record(operation, performance.now() - started);
    }
  }

  /** The histogram of one operation (live: it keeps filling). */
  histogram(operation: TimedOperation): LatencyHistogram {
    return this.histograms.get(operation) as LatencyHistogram;
  }

  /** p50 / p95 / p99 and the rest for every operation. */
  latency(): Record<TimedOperation, LatencySummary> {
    return Object.fromEntries(TIMED_OPERATIONS.map((operation) => [operation, this.histogram(operation).summary()])) as Record<
      TimedOperation,
      LatencySummary
    >;
  }
}

/** Runs `work`, timed into `telemetry` when there is one. */
export function timed<T>(telemetry: Telemetry | undefined, operation: TimedOperation, work: () => Promise<T>): Promise<T> {
  return telemetry === undefined ? work() : telemetry.time(operation, work);
}
