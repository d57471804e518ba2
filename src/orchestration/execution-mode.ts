/**
 * How an episode uses stored traces of past successes (LLMOS):
 * FOLLOWER replays a trace, MIXED uses it as guidance, LEARNER reasons from scratch.
 */
export const ExecutionMode = {
  FOLLOWER: "follower",
  MIXED: "mixed",
  LEARNER: "learner",
} as const;

/** One of the {@link ExecutionMode} values. */
export type ExecutionMode = (typeof ExecutionMode)[keyof typeof ExecutionMode];
