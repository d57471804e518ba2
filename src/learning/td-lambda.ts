import { z } from "zod";
import { TraceKindSchema, type TraceKind } from "../config/index.js";
import { issueList, JottyError } from "../errors/index.js";
import { parseSnapshot } from "../util/index.js";
import { eligibilityTrace } from "./math/index.js";

/** Options of {@link TDLambda}. */
export interface TDLambdaOptions {
  /** Step size α in (0, 1]. */
  alpha: number;
  /** Discount γ in [0, 1]. */
  gamma: number;
  /** Trace decay λ in [0, 1]. */
  lambda: number;
  /** Trace kind; `true-online` uses dutch traces and the true-online update. @default "accumulating" */
  method?: TraceKind;
  /** Value of a state never updated. @default 0 */
  initialValue?: number;
  /** Traces below this are dropped, keeping the trace set small. @default 1e-8 */
  traceThreshold?: number;
}

/** Result of one {@link TDLambda.step}. */
export interface TDLambdaStepResult {
  /** δ = r + γV(s′) − V(s), with the values before the update. */
  tdError: number;
  /** How many states had a non-zero trace and were updated. */
  updatedStates: number;
}

const finite = z.number().refine(Number.isFinite, "must be a finite number");

/** zod schema of a {@link TDLambda} snapshot (schema version 1). */
export const TDLambdaSnapshotSchema = z.strictObject({
  schemaVersion: z.literal(1),
  options: z.strictObject({
    alpha: z.number().gt(0).max(1),
    gamma: z.number().min(0).max(1),
    lambda: z.number().min(0).max(1),
    method: TraceKindSchema,
    initialValue: finite,
    traceThreshold: z.number().min(0),
  }),
  values: z.record(z.string(), finite),
  traces: z.record(z.string(), finite),
  previousNextValue: finite,
});

/** The learned state of a {@link TDLambda}, as plain JSON. */
export type TDLambdaSnapshot = z.infer<typeof TDLambdaSnapshotSchema>;

function checkOptions(options: TDLambdaOptions): Required<TDLambdaOptions> {
  const resolved = {
    method: "accumulating" as TraceKind,
    initialValue: 0,
    traceThreshold: 1e-8,
    ...options,
  };
  const parsed = TDLambdaSnapshotSchema.shape.options.safeParse(resolved);
  if (!parsed.success) {
    const problems = issueList(parsed.error);
    throw new JottyError({
      code: "invalid_argument",
      message: `Invalid TDLambda options: ${problems.join("; ")}. Use α in (0, 1], γ and λ in [0, 1].`,
      details: { problems },
    });
  }
  return parsed.data;
}

/**
 * Tabular TD(λ) state-value prediction over arbitrary string states, updated online.
 *
 * `accumulating` and `replacing` follow Sutton & Barto's semi-gradient TD(λ) (§12.2);
 * `true-online` follows true online TD(λ) (§12.5) with dutch traces. Passing
 * `nextState: null` marks the end of an episode and clears the traces.
 *
 * @example
 * ```ts
 * const td = new TDLambda({ alpha: 0.4, gamma: 1, lambda: 0.8 });
 * td.step({ state: "position 10", reward: 0, nextState: "position 11" });
 * td.step({ state: "position 11", reward: 1, nextState: null });
 * td.value("position 10");
 * ```
 */
export class TDLambda {
  private readonly options: Required<TDLambdaOptions>;
  private readonly values = new Map<string, number>();
  private readonly traces = new Map<string, number>();
  /** V(s′) as computed at the previous step: the V_old of true online TD(λ). */
  private previousNextValue = 0;

  /**
   * @param options - α, γ, λ, trace kind, initial value.
   * @throws JottyError `invalid_argument` when a parameter is out of range.
   */
  constructor(options: TDLambdaOptions) {
    this.options = checkOptions(options);
  }

  /** The estimated value of `state` (the initial value when never updated). */
  value(state: string): number {
    return this.values.get(state) ?? this.options.initialValue;
  }

  /** Every state that has a learned value, with the value. */
  entries(): Array<[state: string, value: number]> {
    return [...this.values.entries()];
  }

  /** The current eligibility trace of `state` (0 when none). */
  trace(state: string): number {
    return this.traces.get(state) ?? 0;
  }

  /** Number of states with a non-zero trace. */
  get tracedStates(): number {
    return this.traces.size;
  }

  /**
   * One online update after the transition `state --reward--> nextState`.
   *
   * @param transition - `nextState: null` is terminal: V = 0 there, and the traces are cleared after the update.
   * @throws JottyError `invalid_reward` when the reward is not a finite number; nothing changes then.
   */
  step({ state, reward, nextState }: { state: string; reward: number; nextState: string | null }): TDLambdaStepResult {
    if (typeof reward !== "number" || !Number.isFinite(reward)) {
      throw new JottyError({
        code: "invalid_reward",
        message: `TDLambda.step got reward ${String(reward)} for state "${state}"; rewards must be finite numbers. No value was changed.`,
        details: { state, reward: String(reward) },
      });
    }
    const { alpha, gamma, lambda, method } = this.options;
    const value = this.value(state);
    const nextValue = nextState === null ? 0 : this.value(nextState);
    const delta = reward + gamma * nextValue - value;

    let updatedStates = 0;
    if (method === "true-online") {
      // w ← w + α(δ + V − V_old)z − α(V − V_old)x, with z the dutch trace.
      const correction = value - this.previousNextValue;
      this.decayTracesExcept(state);
      this.traces.set(
        state,
        eligibilityTrace({ trace: this.trace(state), kind: "dutch", gamma, lambda, alpha, visited: true }),
      );
      const scale = alpha * (delta + correction);
      for (const [traced, trace] of this.traces) {
        const base = this.value(traced);
        this.values.set(traced, base + scale * trace - (traced === state ? alpha * correction : 0));
        updatedStates += 1;
      }
      this.previousNextValue = nextValue;
    } else {
      this.decayTracesExcept(state);
      this.traces.set(state, eligibilityTrace({ trace: this.trace(state), kind: method, gamma, lambda, visited: true }));
      const scale = alpha * delta;
      for (const [traced, trace] of this.traces) {
        this.values.set(traced, this.value(traced) + scale * trace);
        updatedStates += 1;
      }
    }

    if (nextState === null) this.resetTraces();
    return { tdError: delta, updatedStates };
  }

  /** Multiplies every trace but `state`'s by γλ, dropping those that fall below the threshold. */
  private decayTracesExcept(state: string): void {
    const decay = this.options.gamma * this.options.lambda;
    for (const [traced, trace] of this.traces) {
      if (traced === state) continue;
      const decayed = decay * trace;
      if (decayed < this.options.traceThreshold) {
        this.traces.delete(traced);
      } else {
        this.traces.set(traced, decayed);
      }
    }
  }

  /** Clears every trace, as at the start of an episode (for episodes cut short without a terminal step). */
  resetTraces(): void {
    this.traces.clear();
    this.previousNextValue = 0;
  }

  /** The whole learned state as JSON; {@link TDLambda.restore} rebuilds an identical learner. */
  snapshot(): TDLambdaSnapshot {
    return {
      schemaVersion: 1,
      options: { ...this.options },
      values: Object.fromEntries(this.values),
      traces: Object.fromEntries(this.traces),
      previousNextValue: this.previousNextValue,
    };
  }

  /**
   * Rebuilds a learner from a snapshot.
   *
   * @throws JottyError `snapshot_invalid` when the snapshot does not match its schema,
   *   `snapshot_version_unsupported` when it comes from a newer Jotty.
   */
  static restore(snapshot: unknown): TDLambda {
    const data = parseSnapshot({ schema: TDLambdaSnapshotSchema, snapshot, version: 1, what: "TDLambda" });
    const learner = new TDLambda(data.options);
    for (const [state, value] of Object.entries(data.values)) learner.values.set(state, value);
    for (const [state, trace] of Object.entries(data.traces)) learner.traces.set(state, trace);
    learner.previousNextValue = data.previousNextValue;
    return learner;
  }
}
