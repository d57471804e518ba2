import type { DecisionPoint } from "../../knowledge/index.js";
import type { HierarchicalMemory } from "../../memory/index.js";
import type { EpisodeContext } from "../episode-context.js";
import { ownerOf } from "../episode-context.js";
import type { State } from "../episode-state.js";
import { writeKnowledgeMemories } from "../knowledge-memories.js";
import { memoryTargets } from "../memory-credit.js";

/** What the evidence step found: the episode's decisions and what its failure is blamed on. */
export interface EpisodeAttribution {
  decisions: Array<{ point: string; chosen: string }>;
  blamed: string[];
}

/** One end-of-episode step; it returns the fallbacks it took (reported with the episode's errors). */
export interface FinishStep {
  name: string;
  run: (input: { state: State; context: EpisodeContext; attribution: EpisodeAttribution | undefined }) => Promise<string[] | void>;
}

/** Model answers the learning loops did without: failed, rejected or skipped calls, which fell back to the rules. */
function fallbacks(usage: { failures: number; skipped: number }): number {
  return usage.failures + usage.skipped;
}

/** Adds the episode to the decision evidence; returns its decisions and what its failure is blamed on. */
export function recordEvidence(state: State, context: EpisodeContext): EpisodeAttribution {
  const { evidence, retracted } = context.services;
  const decisions = state.trajectory.flatMap((step) => {
    const point: DecisionPoint | undefined = step.point === undefined ? undefined : state.points[step.point];
    return point === undefined || step.action === null ? [] : [{ point, chosen: step.action }];
  });
  const outcome = state.done ? (state.observation.split(/(?<=[.!?])\s/, 1)[0] ?? "").slice(0, 200) : state.stopped ? "stopped" : "ran out of steps";
  const recorded = evidence.record({ episode: state.episode, taskType: state.taskType, success: state.success, return: state.totalReward, outcome, decisions });
  retracted.push(...recorded.retracted);
  return { blamed: recorded.blamed, decisions: decisions.map(({ point, chosen }) => ({ point: point.key, chosen })) };
}

/**
 * The end-of-episode steps after the evidence, in order. Each runs whether or not the ones
 * before it failed; a step that needs the evidence's attribution does without it only by not
 * running (its memories are not credited or written from an unattributed episode).
 */
export const FINISH_STEPS: readonly FinishStep[] = [
  {
    // Memory values are probabilities of success, whatever the environment's reward scale; a
    // memory is credited only for the decisions it was shown for (see memoryTargets).
    name: "credit",
    run: async ({ state, context, attribution }) => {
      const { learner } = context.services;
      if (!learner.active) return;
      if (attribution === undefined) {
        learner.abandonEpisode();
        return ["credit: the memories used were not credited, since the episode's decisions could not be attributed"];
      }
      try {
        await learner.endEpisode({
          reward: state.success ? 1 : 0,
          target: memoryTargets({ steps: state.trajectory, success: state.success, blamed: attribution.blamed, optionsOf: (point) => state.points[point]?.options }),
        });
      } catch (error) {
        if (learner.active) learner.abandonEpisode();
        throw error;
      }
    },
  },
  {
    name: "knowledge",
    run: async ({ state, context, attribution }) => {
      if (attribution === undefined) return ["knowledge: no knowledge memories were written, since the episode's decisions could not be attributed"];
      const { sharedMemory, evidence } = context.services;
      await writeKnowledgeMemories({ memory: sharedMemory, evidence, taskType: state.taskType, decisions: attribution.decisions, success: state.success, blamed: attribution.blamed });
    },
  },
  {
    name: "remember",
    run: async ({ state, context }) => {
      const { config, sharedMemory, localMemories } = context.services;
      const actions = state.trajectory.filter((step) => step.action !== null).map((step) => step.action as string);
      const outcome = state.success ? "succeeded" : "did not succeed";
      const path = actions.length <= 12 ? actions.join(" → ") : `${actions.slice(0, 6).join(" → ")} … ${actions.slice(-5).join(" → ")}`;
      const kind = state.success ? "success" : "failure";
      const value = state.success ? 0.7 : 0.3;
      await sharedMemory.store({
        level: "episodic",
        kind,
        content: `Goal "${state.goal}" ${outcome} in ${state.step} steps with return ${state.totalReward.toFixed(2)}: ${path}`,
        taskType: state.taskType,
        goal: state.goal,
        value,
        sourceEpisode: `episode-${state.episode}`,
        ...config.owner,
      });
      for (const name of new Set(state.trajectory.map((step) => step.actor))) {
        const choices = state.trajectory.filter((step) => step.actor === name).map((step) => step.action ?? "(failed)");
        await (localMemories.get(name) as HierarchicalMemory).store({
          level: "episodic",
          kind,
          content: `For "${state.goal}" I chose ${choices.slice(0, 8).join(", ")}${choices.length > 8 ? ` and ${choices.length - 8} more` : ""}; the team ${outcome}.`,
          taskType: state.taskType,
          actor: name,
          goal: state.goal,
          value,
          sourceEpisode: `episode-${state.episode}`,
          ...config.owner,
        });
      }
    },
  },
  {
    name: "traces",
    run: async ({ state, context }) => {
      const { traces } = context.services;
      const actions = state.trajectory.filter((step) => step.action !== null).map((step) => step.action as string);
      if (state.success && actions.length > 0) await traces.record({ goal: state.goal, actions, reward: state.totalReward });
      traces.recordOutcome(state.mode, { success: state.success, llmCalls: state.llmCalls, tokens: state.tokens });
      if (state.traceId !== "") traces.recordReplay(state.traceId, state.success);
    },
  },
  {
    // Completed whatever else failed: a trajectory is never left "running".
    name: "trajectory",
    run: async ({ state, context }) => {
      const { experience } = context.services;
      if (experience === undefined || context.experienceId === "") return;
      experience.completeTrajectory(context.experienceId, {
        status: state.success ? "success" : "failure",
        metrics: { tokens: state.tokens },
        ...(state.success ? {} : { error: state.stopped ? "stopped" : "the goal was not reached" }),
      });
    },
  },
  {
    name: "curation",
    run: async ({ state, context }) => {
      const { experience, playbook } = context.services;
      if (experience === undefined || context.experienceId === "") return;
      const before = fallbacks(experience.llmUsage());
      await experience.curateFrom(context.experienceId, { playbook, scope: playbookScope(context) });
      experience.playbooks.recordUsage(playbook, { success: state.success });
      const missed = fallbacks(experience.llmUsage()) - before;
      return missed > 0 ? [`curation: ${missed} reflection answer(s) of the model were unusable or not asked for; the rules reflected instead`] : [];
    },
  },
  {
    name: "q-episode",
    run: async ({ state, context }) => {
      const { config, q } = context.services;
      if (q.method === "monte-carlo") {
        // A probe episode is the probe's outcome alone: the proven decisions around it are not blamed for it.
        const probe = state.trajectory.find((step) => step.source === "probe");
        await q.learnEpisode(
          (probe === undefined ? state.trajectory : [{ ...probe, reward: state.totalReward }])
            .filter((step) => step.action !== null)
            .map((step) => ({
              state: step.observation,
              action: step.action as string,
              reward: step.reward,
              owner: ownerOf(config, step.actor),
              alpha: config.actorOverrides[step.actor]?.learningRate,
            })),
        );
      }
      q.endEpisode({ return: state.totalReward });
      // Prioritised replay between episodes: the most surprising experiences are learned again.
      if (config.qPredictor.replayBatch > 0) await q.replay(config.qPredictor.replayBatch, context.rng);
    },
  },
  {
    name: "consolidation",
    run: async ({ state, context }) => {
      const { config, sharedMemory, localMemories, experience } = context.services;
      const every = config.conductor.consolidateEvery;
      if (every <= 0 || (state.episode + 1) % every !== 0) return;
      const notes: string[] = [];
      for (const memory of [sharedMemory, ...localMemories.values()]) {
        const report = await memory.consolidate();
        if (report.modelFailures > 0) notes.push(`consolidation: ${report.modelFailures} summary(ies) of memory "${memory.name}" fell back to the rules`);
      }
      if (experience !== undefined) {
        const before = fallbacks(experience.llmUsage());
        await experience.consolidateReflections();
        const missed = fallbacks(experience.llmUsage()) - before;
        if (missed > 0) notes.push(`consolidation: ${missed} reflection summary(ies) fell back to the rules`);
      }
      return notes;
    },
  },
  {
    // What a scheduled prune removes reaches the audit log with the save that persists it.
    name: "pruning",
    run: async ({ state, context }) => {
      const { config, sharedMemory, localMemories } = context.services;
      const pruning = config.memory.pruning;
      if (pruning.every <= 0 || (state.episode + 1) % pruning.every !== 0) return;
      for (const memory of [sharedMemory, ...localMemories.values()]) memory.prune({ policies: pruning.policies });
    },
  },
];

/** The team playbook's scope: its tenant, else its user, else global. */
function playbookScope(context: EpisodeContext): { kind: "tenant" | "user" | "global"; id?: string } {
  const { tenant, user } = context.services.config.owner;
  if (tenant !== undefined) return { kind: "tenant", id: tenant };
  return user === undefined ? { kind: "global" } : { kind: "user", id: user };
}
