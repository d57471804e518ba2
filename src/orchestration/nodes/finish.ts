import { type EpisodeContext } from "../episode-context.js";
import type { State, Update } from "../episode-state.js";
import { FINISH_STEPS, recordEvidence, type EpisodeAttribution } from "./finish-steps.js";
import { errorMessage } from "../../errors/index.js";

/**
 * The episode's last node (while learning): adds the episode to the decision evidence, then
 * runs each end-of-episode step on its own — credit, knowledge memories, remembering the
 * episode, traces, the trajectory, curation, the Q-predictor's episode end, consolidation
 * and pruning. A step that fails is reported in the episode's errors (`finish: <step> failed:
 * …`) and the others still run; the fallbacks steps take are reported there too.
 */
export async function finishNode(state: State, context: EpisodeContext): Promise<Update> {
  // A deferred episode finishes when it commits (see commitEpisode).
  if (!context.learning || context.deferred) return {};
  const errors: string[] = [];
  let attribution: EpisodeAttribution | undefined;
  try {
    attribution = recordEvidence(state, context);
  } catch (error) {
    errors.push(`finish: evidence failed: ${errorMessage(error)}`);
  }
  for (const step of FINISH_STEPS) {
    try {
      const notes = await step.run({ state, context, attribution });
      if (notes !== undefined) errors.push(...notes);
    } catch (error) {
      errors.push(`finish: ${step.name} failed: ${errorMessage(error)}`);
    }
  }
  return { errors };
}
