import type { ContextExample, ContextStrategy } from "../../knowledge/index.js";
import { recordsNow, type EpisodeContext } from "../episode-context.js";
import type { State, Update } from "../episode-state.js";

/**
 * Starts what a learning episode records: the memory learner's episode (an unfinished one is
 * dropped) and the episode's trajectory in the Experience module, whose id it returns ("" without one).
 */
export async function startEpisodeRecord(state: Pick<State, "goal" | "taskType">, context: EpisodeContext): Promise<string> {
  const { learner, experience, playbook } = context.services;
  if (learner.active) learner.abandonEpisode();
  await learner.startEpisode({ goal: state.goal, taskType: state.taskType });
  if (experience === undefined) return "";
  return experience.startTrajectory({ task: state.goal, taskType: state.taskType, agentId: context.todos.actorOrder.join("+"), userId: "conductor", playbook });
}

/**
 * The episode's first node: starts the memory learner's episode, recalls the team's memories
 * for the goal (the learned context's examples) and the playbook's strategies, and opens the
 * episode's trajectory in the Experience module.
 */
export async function recallNode(state: State, context: EpisodeContext): Promise<Update> {
  const { config, sharedMemory, experience, playbook } = context.services;
  // A deferred episode starts its learner episode and trajectory when it commits.
  const record = recordsNow(context);
  if (record) context.experienceId = await startEpisodeRecord(state, context);
  const { k, maxTokens } = config.conductor.recall;
  // The team's context goes to every actor: it holds no memory an actor owns. Episodes are
  // its examples; rules, procedures and causes come from the decision evidence at each step.
  const memories = await sharedMemory.retrieve({
    goal: state.goal,
    query: `${state.goal}\n${state.observation}`,
    k,
    maxTokens,
    record,
    visibleTo: null,
    levels: ["episodic", "semantic"],
  });
  const examples: ContextExample[] = memories.map((memory) => ({ id: `${sharedMemory.name}/${memory.id}`, kind: memory.kind, content: memory.content, value: memory.value }));
  let strategies: ContextStrategy[] = [];
  if (experience !== undefined) {
    const relevant = await experience.playbooks.relevantStrategies({ name: playbook, task: state.goal, k: config.experience.strategies });
    strategies = relevant.map((strategy) => ({ type: strategy.type, description: strategy.description, helpful: strategy.helpfulCount, harmful: strategy.harmfulCount }));
  }
  return { examples, strategies, accessed: context.learning ? [{ memory: sharedMemory.name, ids: memories.map((memory) => memory.id) }] : [] };
}
