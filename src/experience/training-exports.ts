import type { PlaybookVersion, Trajectory, TrajectoryStep } from "./schemas.js";

/** One RL transition: the state so far, the action taken, its reward, the state after it. */
export interface RlTransition {
  state: string;
  action: string;
  reward: number;
  nextState: string | null;
  done: boolean;
}

/** A trajectory as an RL episode. */
export interface RlEpisode {
  trajectoryId: string;
  transitions: RlTransition[];
}

/**
 * Completed trajectories (oldest first) as JSONL for fine-tuning, one chat per line: system,
 * the task as the user's message, the steps (observations left out) as the assistant's.
 * Only those scoring at least `minScore`.
 */
export function fineTuningJsonl(trajectories: readonly Trajectory[], steps: (id: string) => TrajectoryStep[], { minScore }: { minScore: number }): string {
  const lines: string[] = [];
  for (const trajectory of trajectories) {
    if (trajectory.status === "running" || (trajectory.score ?? 0) < minScore) continue;
    const actions = steps(trajectory.id).filter((step) => step.type !== "observation");
    lines.push(
      JSON.stringify({
        messages: [
          { role: "system", content: `You are ${trajectory.agentId}, solving ${trajectory.taskType} tasks.` },
          { role: "user", content: trajectory.task },
          { role: "assistant", content: actions.map((step, index) => `${index + 1}. ${step.description}`).join("\n") },
        ],
      }),
    );
  }
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}

/**
 * Completed trajectories (oldest first) as RL episodes: one transition per action (observations
 * left out), the state growing with each action and its result, the score as the final reward.
 */
export function rlEpisodes(trajectories: readonly Trajectory[], steps: (id: string) => TrajectoryStep[]): RlEpisode[] {
  return trajectories
    .filter((trajectory) => trajectory.status !== "running")
    .map((trajectory) => {
      const transitions: RlTransition[] = [];
      let state = trajectory.task;
      const actions = steps(trajectory.id).filter((step) => step.type !== "observation");
      actions.forEach((step, index) => {
        const last = index === actions.length - 1;
        const nextState = last ? null : `${state} | ${step.description} → ${step.result}`;
        transitions.push({ state, action: step.description, reward: last ? (trajectory.score ?? 0) : 0, nextState, done: last });
        if (nextState !== null) state = nextState;
      });
      return { trajectoryId: trajectory.id, transitions };
    });
}

/** A playbook version's active helpful strategies as demonstrations (strategy and its evidence). */
export function demonstrations(playbook: Pick<PlaybookVersion, "strategies">): Array<{ strategy: string; evidence: string[]; confidence: number }> {
  return playbook.strategies
    .filter((strategy) => strategy.type === "helpful" && !strategy.retired)
    .map((strategy) => ({ strategy: strategy.description, evidence: [...strategy.evidence], confidence: strategy.confidence }));
}
