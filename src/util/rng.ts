import { uniformFloat64 } from "pure-rand/distribution/uniformFloat64";
import { uniformInt } from "pure-rand/distribution/uniformInt";
import { xoroshiro128plus, xoroshiro128plusFromState } from "pure-rand/generator/xoroshiro128plus";
import type { JumpableRandomGenerator } from "pure-rand/types/JumpableRandomGenerator";
import { JottyError } from "../errors/index.js";

/** The serialisable state of an {@link Rng}: four 32-bit integers. */
export type RngState = readonly [number, number, number, number];

/**
 * A seeded pseudo-random generator (xoroshiro128+). Every random choice in Jotty
 * takes one, so the same seed reproduces the same run.
 *
 * `fork()` hands out statistically independent streams: the child takes the
 * current position and the parent jumps 2^64 draws ahead, so children never
 * overlap each other or the parent.
 *
 * @example
 * ```ts
 * const rng = new Rng(42);
 * const environmentRng = rng.fork();
 * rng.choice(["move up", "move left"]);
 * ```
 */
export class Rng {
  private generator: JumpableRandomGenerator;
  private spareNormal: number | undefined;

  /**
   * @param seed - any integer; only its low 32 bits are used.
   * @throws JottyError `invalid_argument` when the seed is not an integer.
   */
  constructor(seed: number) {
    if (!Number.isInteger(seed)) {
      throw new JottyError({
        code: "invalid_argument",
        message: `An rng seed must be an integer, got ${String(seed)}. Pass an integer such as 42.`,
        details: { seed: String(seed) },
      });
    }
    this.generator = xoroshiro128plus(seed);
  }

  /** Rebuilds a generator at exactly the position a {@link Rng.state} captured. */
  static fromState(state: RngState): Rng {
    if (state.length !== 4 || !state.every((part) => Number.isInteger(part))) {
      throw new JottyError({
        code: "snapshot_invalid",
        message: "An rng state must be four integers, as returned by rng.state().",
        details: { state: state.map((part) => String(part)) },
      });
    }
    const rng = new Rng(0);
    rng.generator = xoroshiro128plusFromState(state);
    return rng;
  }

  /** The current position, for snapshots; {@link Rng.fromState} resumes from it. */
  state(): RngState {
    const [a, b, c, d] = this.generator.getState();
    return [a ?? 0, b ?? 0, c ?? 0, d ?? 0];
  }

  /** A float uniform in [0, 1). */
  next(): number {
    return uniformFloat64(this.generator);
  }

  /**
   * An integer uniform in [min, max], both included.
   *
   * @throws JottyError `invalid_argument` when the bounds are not integers with min ≤ max.
   */
  int(min: number, max: number): number {
    if (!Number.isInteger(min) || !Number.isInteger(max) || min > max) {
      throw new JottyError({
        code: "invalid_argument",
        message: `rng.int needs integers with min ≤ max, got [${min}, ${max}].`,
        details: { min, max },
      });
    }
    return uniformInt(this.generator, min, max);
  }

  /**
   * One element chosen uniformly.
   *
   * @throws JottyError `invalid_argument` on an empty array.
   */
  choice<T>(items: readonly T[]): T {
    if (items.length === 0) {
      throw new JottyError({
        code: "invalid_argument",
        message: "rng.choice needs at least one item to choose from.",
      });
    }
    return items[this.int(0, items.length - 1)] as T;
  }

  /** A shuffled copy (Fisher–Yates); the input is left as it is. */
  shuffle<T>(items: readonly T[]): T[] {
    const result = items.slice();
    for (let index = result.length - 1; index > 0; index -= 1) {
      const other = this.int(0, index);
      const held = result[index] as T;
      result[index] = result[other] as T;
      result[other] = held;
    }
    return result;
  }

  /**
   * A normally distributed sample (Marsaglia's polar method).
   *
   * @param mean - @default 0
   * @param stdDev - @default 1
   */
  normal(mean = 0, stdDev = 1): number {
    if (this.spareNormal !== undefined) {
      const spare = this.spareNormal;
      this.spareNormal = undefined;
      return mean + stdDev * spare;
    }
    let u = 0;
    let v = 0;
    let s = 0;
    do {
      u = this.next() * 2 - 1;
      v = this.next() * 2 - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const factor = Math.sqrt((-2 * Math.log(s)) / s);
    this.spareNormal = v * factor;
    return mean + stdDev * u * factor;
  }

  /** An independent generator; the parent moves past the child's stream. */
  fork(): Rng {
    const child = Rng.fromState(this.state());
    this.generator.jump();
    this.spareNormal = undefined;
    return child;
  }
}
