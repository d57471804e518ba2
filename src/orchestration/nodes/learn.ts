import { ownerOf, type EpisodeContext } from "../episode-context.js";
import type { QUpdateInput } from "../../learning/index.js";
import type { Decision, LoggedStep, State, Transition, Update } from "../episode-state.js";
import { errorMessage } from "../../errors/index.js";

/** What the learn node reads and writes (its input schema in the episode graph; see `nodeInput`); `done` routes it. */
export const LEARN_FIELDS = ["transition", "decision", "trajectory", "todoId", "step", "stopped", "done", "pending"] as const;

/**
 * Logs the step in the episode's trajectory, settles the actor's turn in the todo list, and
 * (while learning, for Q-learning and SARSA) updates the Q-predictor from the transition;
 * SARSA learns each transition once the next action is known. Learning errors are recorded.
 */
export async function learnNode(state: Pick<State, (typeof LEARN_FIELDS)[number]>, context: EpisodeContext): Promise<Update> {
  const { config, experience, q } = context.services;
  const { todos, deferred } = context;
  const transition = state.transition as Transition;
  const decision = state.decision as Decision;
  // What the episode changes goes into its journal too: a deferred episode applies it at its
  // commit, a resumed one replays it.
  const loggedSteps: LoggedStep[] = [];
  if (experience !== undefined && context.learning) {
    const step = state.trajectory.at(-1);
    const firstSentence = transition.nextState.split(/(?<=\.)\s/, 1)[0] ?? "";
    const logged: LoggedStep = {
      type: "action",
      description: `${decision.actor}: ${step?.action ?? "(no action)"}`,
      result: step?.source === "failed" ? `failed: ${step.reasoning ?? ""}` : `reward ${transition.reward}; ${firstSentence}`,
    };
    loggedSteps.push(logged);
    if (context.experienceId !== "") experience.logStep(context.experienceId, logged);
  }
  if (decision.source === "failed" || !transition.learnable) todos.block(state.todoId, `step ${state.step - 1} failed`);
  else todos.complete(state.todoId);
  // A blocked turn starts a fresh round on the next plan, so one failure does not end the team.
  if (decision.source === "failed" && !transition.done && !state.stopped) todos.reset();
  if (!context.learning || q.method === "monte-carlo") return { pending: null, loggedSteps };
  const errors: string[] = [];
  const qUpdates: QUpdateInput[] = [];
  const sarsa = q.method === "sarsa";
  const update = async (t: Transition, nextAction?: string): Promise<void> => {
    const input = {
      state: t.state,
      action: t.action,
      reward: t.reward,
      nextState: t.done ? null : t.nextState,
      nextActions: t.nextActions,
      ...(nextAction === undefined ? {} : { nextAction }),
      done: t.done || (nextAction === undefined && sarsa),
      owner: ownerOf(config, t.actor),
      alpha: config.actorOverrides[t.actor]?.learningRate,
    };
    qUpdates.push(input);
    // A deferred episode applies its updates, in order, when it commits.
    if (deferred) return;
    try {
      await q.update(input);
    } catch (error) {
      errors.push(`step ${state.step - 1}: learning failed: ${errorMessage(error)}`);
    }
  };
  let pending: Transition | null = null;
  if (sarsa) {
    // SARSA needs the next action: learn the previous transition now that it is known.
    if (state.pending !== null && transition.learnable) await update(state.pending, transition.action);
    else if (state.pending !== null) await update({ ...state.pending, done: true });
    if (transition.learnable) {
      if (transition.done) await update(transition);
      else pending = transition;
    }
  } else if (transition.learnable) {
    await update(transition);
  }
  const ending = transition.done || state.stopped || state.step >= config.training.maxStepsPerEpisode;
  if (ending && pending !== null) {
    await update({ ...pending, done: true });
    pending = null;
  }
  return { pending, errors, qUpdates, loggedSteps };
}
