import { errorMessage, JottyError } from "../errors/index.js";
import type { CurationResult, PlaybookStore } from "./playbook-store.js";
import type { ErrorSolution, Reflection, Strategy, Trajectory, TrajectoryStep } from "./schemas.js";
import type { StepInput } from "./trajectory-store.js";

/** What `executeWithLearning` gives the function it runs. */
export interface LearningContext {
  trajectoryId: string;
  /** Strategies of the playbook relevant to the task. */
  strategies: Array<Strategy & { relevance: number }>;
  /** When retrying after an error: the best known solution. */
  solution?: ErrorSolution;
  /** Logs a step of the trajectory. */
  logStep(step: { type: TrajectoryStep["type"]; description: string; result: string; tool?: string }): void;
}

/** What `executeWithLearning` returns. */
export interface LearningOutcome<T> {
  trajectoryId: string;
  status: "success" | "failure";
  result?: T;
  error?: string;
  /** The solution that turned an error into a success, if one did. */
  recoveredWith?: string;
  reflection: Reflection;
  curation: CurationResult;
}

/** The parts of the learning loops {@link executeWithLearning} runs a task through. */
export interface LearningLoops {
  readonly playbooks: Pick<PlaybookStore, "relevantStrategies" | "curate" | "recordUsage">;
  startTrajectory(start: { task: string; taskType?: string; agentId?: string; playbook?: string }): string;
  logStep(id: string, step: StepInput): void;
  completeTrajectory(id: string, outcome: { status: "success" | "failure"; error?: string }): Trajectory;
  reflect(id: string): Promise<Reflection>;
  findSolutions(error: { errorType: string; message: string }): Promise<ErrorSolution[]>;
  recordSolutionOutcome(id: string, success: boolean): void;
}


function errorType(error: unknown): string {
  if (JottyError.is(error)) return error.code;
  if (error instanceof Error) return (error as { code?: unknown }).code?.toString() ?? error.name;
  return "Error";
}

/**
 * Runs any async function as a learning task: a trajectory is recorded, the playbook's
 * relevant strategies are handed in, an error is answered with the best known solution
 * (one retry), and the outcome is reflected on and curated into the playbook (`agent:<id>`
 * unless named).
 */
export async function executeWithLearning<T>(
  loops: LearningLoops,
  {
    task,
    taskType = "general",
    agentId = "default",
    playbook,
    fn,
  }: {
    task: string;
    taskType?: string;
    agentId?: string;
    playbook?: string;
    fn: (context: LearningContext) => Promise<T>;
  },
): Promise<LearningOutcome<T>> {
  const name = playbook ?? `agent:${agentId}`;
  const id = loops.startTrajectory({ task, taskType, agentId, playbook: name });
  const strategies = await loops.playbooks.relevantStrategies({ name, task });
  const context = (solution?: ErrorSolution): LearningContext => ({
    trajectoryId: id,
    strategies,
    ...(solution === undefined ? {} : { solution }),
    logStep: (step) => loops.logStep(id, step),
  });
  let outcome: Pick<LearningOutcome<T>, "status" | "result" | "error" | "recoveredWith">;
  try {
    outcome = { status: "success", result: await fn(context()) };
  } catch (first) {
    const message = errorMessage(first);
    loops.logStep(id, { type: "observation", description: `error ${errorType(first)}`, result: message });
    const [best] = await loops.findSolutions({ errorType: errorType(first), message });
    if (best === undefined) {
      outcome = { status: "failure", error: message };
    } else {
      loops.logStep(id, { type: "decision", description: `apply known solution: ${best.approach}`, result: "retrying" });
      try {
        outcome = { status: "success", result: await fn(context(best)), recoveredWith: best.id };
        loops.recordSolutionOutcome(best.id, true);
      } catch (second) {
        loops.recordSolutionOutcome(best.id, false);
        outcome = { status: "failure", error: errorMessage(second) };
      }
    }
  }
  loops.completeTrajectory(id, { status: outcome.status, ...(outcome.error === undefined ? {} : { error: outcome.error }) });
  const reflection = await loops.reflect(id);
  const curation = await loops.playbooks.curate(name, [reflection], { kind: "agent", id: agentId });
  loops.playbooks.recordUsage(name, { success: outcome.status === "success" });
  return { trajectoryId: id, ...outcome, reflection, curation };
}
