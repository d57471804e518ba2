import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { HumanMessage, SystemMessage } from "@langchain/core/messages";
import { z } from "zod";
import { groundingIssue, invokeStructured, type CircuitBreaker, type LlmUsage } from "../llm/index.js";
import type { Reflection, Trajectory, TrajectoryStep } from "./schemas.js";

/** The model's reflection. */
export const ReflectionAnswerSchema = z.object({
  helpful_strategies: z.array(z.object({ description: z.string(), evidence: z.string(), confidence: z.number().min(0).max(1) })),
  harmful_patterns: z.array(z.object({ description: z.string(), evidence: z.string(), impact: z.enum(["low", "medium", "high"]) })),
  observations: z.array(z.object({ description: z.string(), relevance: z.number().min(0).max(1) })),
});

/** How the learning loops reach the model, and what counts its use. */
export interface ReflectionModelAccess {
  model: BaseChatModel;
  usage: LlmUsage;
  /** The learning loops' breaker: rejected and failed answers count against it. */
  breaker: CircuitBreaker;
  /** The model's breaker shared with its other callers: only errors and timeouts count. */
  transport?: CircuitBreaker;
  /** The longest one call may take. @default LLM_DEFAULTS.timeoutMs */
  timeoutMs?: number;
}

type Findings = Pick<Reflection, "helpfulStrategies" | "harmfulPatterns" | "observations">;

/**
 * Why a reflection cannot be used, or `undefined`: it must find something, and every strategy,
 * pattern and observation must be grounded in the task and steps it reflects on.
 */
function reflectionIssue(answer: z.output<typeof ReflectionAnswerSchema>, evidence: readonly string[]): string | undefined {
  const items = [...answer.helpful_strategies, ...answer.harmful_patterns, ...answer.observations];
  if (items.length === 0) return "the reflection finds nothing";
  for (const item of items) {
    const issue = groundingIssue(item.description, evidence, { minWords: 1 });
    if (issue !== undefined) return `"${item.description.slice(0, 60)}": ${issue}`;
  }
  return undefined;
}

/**
 * A reflection on a trajectory from the model, checked for shape and grounding.
 *
 * @throws JottyError `llm_error` when the call fails or its answer is unusable; the caller
 *   falls back to {@link ruleReflection}.
 */
export async function modelReflection(
  access: ReflectionModelAccess,
  { trajectory, steps, score, context }: { trajectory: Pick<Trajectory, "task" | "taskType" | "status" | "error">; steps: readonly TrajectoryStep[]; score: number; context?: string },
): Promise<Findings> {
  const task = `Task: ${trajectory.task} (type ${trajectory.taskType})`;
  const outcome = `Outcome: ${trajectory.status}, score ${score.toFixed(2)}${trajectory.error === undefined ? "" : `, error: ${trajectory.error}`}`;
  const lines = steps.map((step, index) => `${index + 1}. [${step.type}] ${step.description} → ${step.result}`);
  const evidence = [task, outcome, ...lines, ...(context === undefined ? [] : [context])];
  const answer = await invokeStructured({
    model: access.model,
    schema: ReflectionAnswerSchema,
    name: "reflection",
    usage: access.usage,
    breaker: access.breaker,
    ...(access.transport === undefined ? {} : { transport: access.transport }),
    ...(access.timeoutMs === undefined ? {} : { timeoutMs: access.timeoutMs }),
    check: (found) => reflectionIssue(found, evidence),
    messages: [
      new SystemMessage(
        "You review an AI agent's attempt at a task and extract reusable lessons: strategies that helped, patterns that hurt, and observations. Name the steps in their own words.",
      ),
      new HumanMessage([task, outcome, `Steps:\n${lines.join("\n")}`, ...(context === undefined ? [] : [`Context: ${context}`])].join("\n\n")),
    ],
  });
  return {
    helpfulStrategies: answer.helpful_strategies,
    harmfulPatterns: answer.harmful_patterns.map((pattern) => ({ ...pattern, confidence: 0.7 })),
    observations: answer.observations,
  };
}

/**
 * One summary of several reflection memories from the model, checked for shape and grounding.
 *
 * @throws JottyError `llm_error` when the call fails or its answer is unusable.
 */
export async function modelReflectionSummary(access: ReflectionModelAccess, contents: readonly string[]): Promise<string> {
  const answer = await invokeStructured({
    model: access.model,
    schema: z.object({ summary: z.string() }),
    name: "summary",
    usage: access.usage,
    breaker: access.breaker,
    ...(access.transport === undefined ? {} : { transport: access.transport }),
    ...(access.timeoutMs === undefined ? {} : { timeoutMs: access.timeoutMs }),
    check: ({ summary }) => groundingIssue(summary, contents),
    messages: [
      new SystemMessage("Merge these reflections into one short summary that keeps every distinct lesson, in their own words."),
      new HumanMessage(contents.map((content, index) => `${index + 1}. ${content}`).join("\n")),
    ],
  });
  return answer.summary.trim();
}
