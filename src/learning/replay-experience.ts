import { z } from "zod";
import type { QUpdateInput } from "./q-update-input.js";

/** zod schema of one transition kept in a Q-predictor's replay buffer. */
export const ReplayExperienceSchema = z.strictObject({
  state: z.string(),
  action: z.string(),
  reward: z.number(),
  nextState: z.string().nullable(),
  nextAction: z.string().optional(),
  nextActions: z.array(z.string()).optional(),
  done: z.boolean(),
  /** The return that followed, for an experience learned by Monte-Carlo (`learnEpisode`). */
  return: z.number().optional(),
});

/** One transition kept in a Q-predictor's replay buffer. */
export type ReplayExperience = z.infer<typeof ReplayExperienceSchema>;

/** The experience a transition leaves in the buffer; `followed` is the return a Monte-Carlo step learned towards. */
export function replayExperience(
  input: Pick<QUpdateInput, "state" | "action" | "reward" | "nextState" | "nextAction" | "nextActions" | "done">,
  followed: number | undefined,
): ReplayExperience {
  return {
    state: input.state,
    action: input.action,
    reward: input.reward,
    nextState: input.done ? null : input.nextState,
    ...(input.nextAction === undefined ? {} : { nextAction: input.nextAction }),
    ...(input.nextActions === undefined ? {} : { nextActions: [...input.nextActions] }),
    done: input.done,
    ...(followed === undefined ? {} : { return: followed }),
  };
}
