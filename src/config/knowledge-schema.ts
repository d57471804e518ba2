import { z } from "zod";
import { defaulted } from "./defaulted.js";

const unit = z.number().min(0).max(1);

/** How the Conductor learns from contrastive evidence and decides on an actor's behalf while learning. */
export const KnowledgeSchema = defaulted(
  z.strictObject({
    explore: unit
      .default(0.3)
      .describe("while learning, the share of an LLM actor's decisions at points without a confident rule that the Conductor takes by Thompson sampling over the evidence instead (never in evaluate)"),
    followRules: z
      .boolean()
      .default(true)
      .describe("while learning, an LLM actor's decision at a point with a confident rule takes the rule without a model call (never in evaluate)"),
    probe: unit
      .default(0.2)
      .describe("while learning, the chance at each eligible decision of probing one untested alternative (once an episode, when every decision so far was proven), for minimal pairs"),
    maxTokens: z.int().positive().default(400).describe("token budget of the learned context shown for one decision"),
  }),
).describe("what the team learns from contrastive evidence and how it reaches LLM actors");
