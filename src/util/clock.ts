/** Where library code reads the time, so tests and replays control it. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

/** The wall clock. */
export const systemClock: Clock = { now: () => Date.now() };

/** A clock that moves only when told, for tests and deterministic replays. */
export class ManualClock implements Clock {
  private current: number;

  /** @param start - the first reading, in milliseconds since the epoch. @default 0 */
  constructor(start = 0) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  /** Moves the clock forward by `milliseconds`. */
  advance(milliseconds: number): void {
    this.current += milliseconds;
  }
}
