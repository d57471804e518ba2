import type { Environment } from "../../environments/index.js";
import { errorMessage, JottyError } from "../../errors/index.js";
import { decisionPointOf } from "../../knowledge/index.js";
import { type EpisodeContext } from "../episode-context.js";
import type { Decision, State, Update } from "../episode-state.js";

/** What the observe node reads and writes (its input schema in the episode graph; see `nodeInput`). */
export const OBSERVE_FIELDS = ["decision", "transition", "observation", "actions", "step", "totalReward", "point", "points", "environmentState", "capability", "done", "success", "stopped"] as const;

/**
 * Applies the decision to the environment and records the step: the transition to learn
 * from, the next observation and decision point, and the trajectory entry. A failed actor, a
 * refused action and a failing environment become a penalised step (and stop the episode
 * when `conductor.onActorError` says so).
 */
export async function observeNode(state: Pick<State, (typeof OBSERVE_FIELDS)[number]>, context: EpisodeContext): Promise<Update> {
  const decision = state.decision as Decision;
  const { actorErrorReward, invalidActionReward, onActorError } = context.services.config.conductor;
  const failure = (reward: number, error: string, stop: boolean): Update => ({
    transition: {
      actor: decision.actor,
      state: state.observation,
      action: decision.action,
      reward,
      nextState: state.observation,
      nextActions: state.actions,
      done: stop,
      learnable: false,
    },
    stopped: stop,
    step: state.step + 1,
    totalReward: state.totalReward + reward,
    trajectory: [{ step: state.step, actor: decision.actor, observation: state.observation, action: null, reward, source: "failed", reasoning: error }],
  });
  if (decision.source === "failed") return failure(actorErrorReward, decision.reasoning ?? "", onActorError === "stop");
  let result: Awaited<ReturnType<Environment["step"]>>;
  try {
    result = await context.environment.step(decision.action);
  } catch (error) {
    const refused = JottyError.is(error, "invalid_action");
    return {
      ...failure(refused ? invalidActionReward : actorErrorReward, errorMessage(error), !refused && onActorError === "stop"),
      errors: [`step ${state.step}: ${refused ? "the environment refused the action" : "the environment failed"}: ${errorMessage(error)}`],
    };
  }
  return {
    ...(state.point === null ? {} : { points: { [state.point.key]: state.point } }),
    environmentState: context.checkpointed ? (context.environment.snapshotEpisode?.() ?? null) : null,
    transition: {
      actor: decision.actor,
      state: state.observation,
      action: decision.action,
      reward: result.reward,
      nextState: result.observation,
      nextActions: result.actions,
      done: result.done,
      learnable: true,
    },
    observation: result.observation,
    actions: result.actions,
    capability: typeof result.info.capability === "string" ? result.info.capability : "",
    point: result.done ? null : (decisionPointOf({ observation: result.observation, actions: result.actions, info: result.info }) ?? null),
    done: result.done,
    success: result.done && result.info.success === true,
    step: state.step + 1,
    totalReward: state.totalReward + result.reward,
    trajectory: [
      {
        step: state.step,
        actor: decision.actor,
        observation: state.observation,
        action: decision.action,
        reward: result.reward,
        source: decision.source,
        ...(decision.reasoning === undefined ? {} : { reasoning: decision.reasoning }),
        ...(state.point === null ? {} : { point: state.point.key }),
        ...(decision.memories === undefined ? {} : { memories: decision.memories }),
      },
    ],
  };
}
