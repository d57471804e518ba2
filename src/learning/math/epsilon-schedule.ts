/**
 * How ε changes with the episode number, as plain data: constant, linear or exponential
 * decay. `EpsilonScheduleSchema` (zod) is where the shape is defined and checked; what it
 * parses is one of these.
 */
export type EpsilonSchedule =
  | {
      kind: "constant";
      /** ε for every episode. */
      value: number;
    }
  | {
      kind: "linear";
      /** ε at episode 0. */
      start: number;
      /** ε from `steps` on. */
      end: number;
      /** Episodes over which ε moves from start to end. */
      steps: number;
    }
  | {
      kind: "exponential";
      /** ε at episode 0. */
      start: number;
      /** Floor ε never goes below. */
      end: number;
      /** Factor applied to ε each episode. */
      decay: number;
    };

/**
 * ε at a given episode (or step) under a schedule.
 *
 * - constant: `value`.
 * - linear: from `start` to `end` over `steps`, then `end`.
 * - exponential: `start·decay^t`, never below `end`.
 *
 * @example
 * ```ts
 * epsilonAt({ kind: "linear", start: 0.3, end: 0.05, steps: 500 }, 250); // 0.175
 * ```
 */
export function epsilonAt(schedule: EpsilonSchedule, episode: number): number {
  const t = Math.max(0, episode);
  switch (schedule.kind) {
    case "constant":
      return schedule.value;
    case "linear": {
      const progress = Math.min(1, t / schedule.steps);
      return schedule.start + (schedule.end - schedule.start) * progress;
    }
    case "exponential":
      return Math.max(schedule.end, schedule.start * schedule.decay ** t);
  }
}
