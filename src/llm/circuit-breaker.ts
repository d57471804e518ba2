import { CONFIG_DEFAULTS } from "../config/index.js";
import { systemClock, type Clock } from "../util/index.js";

/** Options of {@link CircuitBreaker}. */
export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit. @default 3 */
  failureThreshold?: number;
  /** How long it stays open before one trial call is let through, in ms. @default 60000 */
  cooldownMs?: number;
  /** Where time is read. @default systemClock */
  clock?: Clock;
}

/**
 * Stops calling a failing model for a while: after `failureThreshold` consecutive failures the
 * circuit opens; after `cooldownMs` one trial call goes through (half-open), and its outcome
 * closes or re-opens the circuit.
 */
export class CircuitBreaker {
  private readonly failureThreshold: number;
  private readonly cooldownMs: number;
  private readonly clock: Clock;
  private consecutiveFailures = 0;
  private openedAt: number | undefined;
  private trialInFlight = false;

  constructor(options: CircuitBreakerOptions = {}) {
    this.failureThreshold = options.failureThreshold ?? CONFIG_DEFAULTS.qPredictor.breaker.failures;
    this.cooldownMs = options.cooldownMs ?? CONFIG_DEFAULTS.qPredictor.breaker.cooldownMs;
    this.clock = options.clock ?? systemClock;
  }

  /** `closed` (calling), `open` (not calling) or `half-open` (one trial call allowed). */
  get state(): "closed" | "open" | "half-open" {
    if (this.openedAt === undefined) return "closed";
    return this.clock.now() - this.openedAt >= this.cooldownMs ? "half-open" : "open";
  }

  /** Whether a call may be made now; in half-open state only the first caller gets through. */
  allow(): boolean {
    const state = this.state;
    if (state === "closed") return true;
    if (state === "half-open" && !this.trialInFlight) {
      this.trialInFlight = true;
      return true;
    }
    return false;
  }

  /** Gives back a trial call that {@link allow} granted but that was not made. */
  release(): void {
    this.trialInFlight = false;
  }

  recordSuccess(): void {
    this.consecutiveFailures = 0;
    this.openedAt = undefined;
    this.trialInFlight = false;
  }

  recordFailure(): void {
    this.consecutiveFailures += 1;
    if (this.trialInFlight || this.consecutiveFailures >= this.failureThreshold) this.openedAt = this.clock.now();
    this.trialInFlight = false;
  }
}
