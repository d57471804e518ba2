import { z } from "zod";
import { defaulted } from "./defaulted.js";

const probability = z.number().min(0).max(1);

/** How actions are chosen from predicted values. */
export const PolicySchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("greedy") }),
  z.strictObject({
    kind: z.literal("epsilon-greedy"),
    epsilon: probability.optional().describe("a fixed ε; learning.epsilon's schedule when absent"),
  }),
  z.strictObject({ kind: z.literal("softmax"), temperature: z.number().positive().default(0.5) }),
  z.strictObject({
    kind: z.literal("ucb1"),
    c: z.number().min(0).default(Math.SQRT2),
    decay: z.number().gt(0).max(1).default(1).describe("c is multiplied by decay^episode: exploration fades as experience grows"),
  }),
]);

/** The natural-language Q-predictor. */
export const QPredictorSchema = z.strictObject({
  method: z
    .enum(["q-learning", "sarsa", "expected-sarsa", "monte-carlo"])
    .default("q-learning")
    .describe("monte-carlo learns each step from the return that followed it, at the end of the episode (for rewards that only come at the end)"),
  initialValue: z.number().default(0).describe("value of a (state, action) pair nothing is known about; above every return, it makes untried actions look worth trying"),
  stepSize: z
    .enum(["constant", "average"])
    .default("constant")
    .describe("constant uses α; average uses 1/visits (the sample mean of Monte-Carlo control) until that falls to α"),
  rewardRange: z
    .tuple([z.number(), z.number()])
    .refine(([low, high]) => low < high, "the first number must be below the second")
    .optional()
    .describe("when given, values are kept in this range and lessons and calibration read rewards against it"),
  policy: defaulted(PolicySchema, { kind: "epsilon-greedy" }),
  similarity: z
    .boolean()
    .default(true)
    .describe("estimate unseen pairs from similar ones (text tasks); false for a purely tabular learner (grid worlds)"),
  estimator: z
    .enum(["cases", "kernel"])
    .default("cases")
    .describe(
      "how unseen pairs are estimated from similar states: cases weighs what the same action gave in the nearest states, shrunk towards the middle of the value range (untried actions look worth a try); kernel averages the most similar (state, action) pairs",
    ),
  caseTemperature: z.number().positive().default(0.05).describe("cases: how fast a state's weight falls with its distance from the closest one, exp(−Δsimilarity / temperature)"),
  textPrior: z.number().min(0).max(0.5).default(0.2).describe("cases: how far an action with little evidence leans towards candidates whose text is like the situation's"),
  neighbours: z.int().positive().default(10).describe("similar (state, action) pairs an estimate is drawn from"),
  minSimilarity: z.number().min(0).max(1).default(0.2).describe("state and action similarity an estimate needs"),
  bufferCapacity: z.int().positive().default(1000),
  replayBatch: z.int().min(0).default(0).describe("experiences a Conductor re-learns from the prioritised buffer after each learning episode; 0 (the default) turns replay off"),
  lessonsPerEntry: z
    .int()
    .min(0)
    .default(5)
    .describe("TD-error lessons kept with each Q entry for the Q-predictor's own getLearnedContext (a Conductor's lessons come from its decision evidence); 0 keeps none"),
  tiers: defaulted(
    z.strictObject({
      tier1: z.int().min(0).default(50).describe("entries always in context"),
      tier2: z.int().min(0).default(100).describe("entries shown grouped"),
      promoteAfter: z.int().positive().default(10).describe("episodes without improvement before archived entries are promoted"),
      promoteCount: z.int().min(0).default(10),
      pruneAfter: z.int().positive().default(500).describe("episodes after which an unused, barely visited archived entry is pruned"),
    }),
  ),
  llmTimeoutMs: z.int().positive().default(20_000),
  breaker: defaulted(z.strictObject({ failures: z.int().positive().default(3), cooldownMs: z.int().min(0).default(60_000) })),
});

/** Q-predictor settings, parsed. */
export type QPredictorConfig = z.infer<typeof QPredictorSchema>;
