import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { HumanMessage, SystemMessage, type BaseMessage } from "@langchain/core/messages";
import { z } from "zod";
import { ActorSchema, LLM_DEFAULTS } from "../config/index.js";
import { JottyError } from "../errors/index.js";
import { normalizeText } from "../learning/index.js";
import { CircuitBreaker, invokeStructured, LlmUsage, type LlmUsageCounts } from "../llm/index.js";
import { BaseActor, type ActorContext, type ActorDecision, type ActorIdentity } from "./actor.js";

/** The model's answer. */
export const ActorAnswerSchema = z.object({
  reasoning: z.string().describe("why this action, briefly"),
  action: z.string().describe("one of the candidate actions, or an action of your own where the situation invites one"),
});

/** Options of {@link LLMActor}. */
export interface LLMActorOptions extends ActorIdentity {
  model: BaseChatModel;
  /** Further attempts after an unusable answer, each told what was wrong. @default 2 */
  maxRetries?: number;
  /** Per call. @default 30000 */
  timeoutMs?: number;
  /** Whether an action must be one of the candidates. @default true */
  candidatesOnly?: boolean;
  /** What the actor is for, in the system prompt. */
  role?: string;
  /** The model's circuit breaker, shared with its other callers (errors and timeouts open it for all). */
  modelBreaker?: CircuitBreaker;
}

/**
 * An actor that asks a chat model (any LangChain `BaseChatModel`, e.g. a `ChatOpenAI` for an
 * OpenAI-compatible server) for its action, showing it the goal, the situation, the candidates
 * and what the team has learned. An unusable answer is retried with a hint up to `maxRetries`
 * times; then the actor falls back to the Q-predictor's choice and says why.
 */
export class LLMActor extends BaseActor {
  readonly readsLearnedContext = true;
  private readonly model: BaseChatModel;
  private readonly maxRetries: number;
  private readonly timeoutMs: number;
  private readonly candidatesOnly: boolean;
  private readonly role: string;
  private readonly counts = new LlmUsage();
  private readonly breaker = new CircuitBreaker();
  private readonly modelBreaker: CircuitBreaker | undefined;

  constructor(options: LLMActorOptions) {
    super(options);
    this.model = options.model;
    this.maxRetries = options.maxRetries ?? LLM_DEFAULTS.maxRetries;
    this.timeoutMs = options.timeoutMs ?? LLM_DEFAULTS.timeoutMs;
    this.candidatesOnly = options.candidatesOnly ?? ActorSchema.shape.candidatesOnly.parse(undefined);
    this.modelBreaker = options.modelBreaker;
    this.role =
      options.role ??
      `You are ${options.name}${options.capabilities?.length ? `, able to ${options.capabilities.join(", ")}` : ""}, one actor of a team working towards a goal.`;
  }

  /** Calls, failures and tokens so far. */
  usage(): LlmUsageCounts {
    return this.counts.get();
  }

  private prompt(context: ActorContext): BaseMessage[] {
    const sections = [
      `Goal: ${context.goal}`,
      `Situation: ${context.observation}`,
      `Candidate actions:\n${context.actions.map((action) => `- ${action}`).join("\n")}`,
    ];
    if (context.learnedContext !== "") sections.push(`What the team has learned:\n${context.learnedContext}`);
    if (context.localMemories.length > 0) {
      sections.push(`Your own experience:\n${context.localMemories.map((memory) => `- ${memory.content} (V=${memory.value.toFixed(2)})`).join("\n")}`);
    }
    if (context.hint !== undefined) {
      sections.push(`A similar past success took "${context.hint.action}" at this step (similarity ${context.hint.similarity.toFixed(2)}).`);
    }
    return [
      new SystemMessage(`${this.role} Choose the next action. Answer with your reasoning and exactly one action.`),
      new HumanMessage(sections.join("\n\n")),
    ];
  }

  override async act(context: ActorContext): Promise<ActorDecision> {
    const before = this.counts.get();
    const messages = this.prompt(context);
    let problem = "";
    for (let attempt = 0; attempt <= this.maxRetries; attempt += 1) {
      try {
        const answer = await invokeStructured({
          model: this.model,
          schema: ActorAnswerSchema,
          name: "choose_action",
          timeoutMs: this.timeoutMs,
          usage: this.counts,
          breaker: this.breaker,
          ...(this.modelBreaker === undefined ? {} : { transport: this.modelBreaker }),
          messages,
        });
        const wanted = normalizeText(answer.action);
        const match = context.actions.find((candidate) => normalizeText(candidate) === wanted);
        if (match !== undefined || !this.candidatesOnly) {
          return { action: match ?? answer.action, reasoning: answer.reasoning, ...this.spent(before) };
        }
        problem = `"${answer.action}" is not one of the candidate actions`;
        messages.push(new HumanMessage(`Your answer ${problem}. Answer again with exactly one of: ${context.actions.map((action) => `"${action}"`).join(", ")}.`));
      } catch (error) {
        if (!JottyError.is(error, "llm_error")) throw error;
        problem = error.message;
        if (error.details.reason === "circuit_open") break;
      }
    }
    const { action } = await context.q.selectAction({
      state: context.observation,
      actions: context.actions,
      rng: context.rng,
      ...(context.explore ? {} : { policy: { kind: "greedy" } }),
    });
    return { action, reasoning: "chosen by value after the model failed", fallback: problem, ...this.spent(before) };
  }

  private spent(before: LlmUsageCounts): { llmCalls: number; tokens: number } {
    const now = this.counts.get();
    return {
      llmCalls: now.calls - before.calls,
      tokens: now.inputTokens + now.outputTokens - before.inputTokens - before.outputTokens,
    };
  }
}
