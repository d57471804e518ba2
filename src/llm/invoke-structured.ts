import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { BaseMessage } from "@langchain/core/messages";
import { OutputParserException } from "@langchain/core/output_parsers";
import type { z } from "zod";
import { LLM_DEFAULTS } from "../config/index.js";
import { errorMessage, issueList, JottyError } from "../errors/index.js";
import type { CircuitBreaker } from "./circuit-breaker.js";
import type { LlmUsage } from "./llm-usage.js";

/** Options of {@link invokeStructured}. */
export interface InvokeStructuredOptions<Schema extends z.ZodType> {
  model: BaseChatModel;
  /** What the answer must match. */
  schema: Schema;
  /** Name of the answer's shape, for tool-calling models. */
  name: string;
  messages: BaseMessage[];
  /** Give up after this long. @default 30000 */
  timeoutMs?: number;
  /** Counts calls, failures and tokens. */
  usage?: LlmUsage;
  /** The caller's breaker: skips the call while open; every failure, a rejected answer included, counts. */
  breaker?: CircuitBreaker;
  /**
   * The model's breaker, shared by everyone calling the same model: skips the call while open;
   * only errors and timeouts count against it, any answer counts for it.
   */
  transport?: CircuitBreaker;
  /**
   * A content check of a well-formed answer: why it cannot be used, or `undefined` when it can.
   * A rejected answer counts as a failure (and in `rejected`).
   */
  check?: (answer: z.output<Schema>) => string | undefined;
}

/** An answer that was well-formed but failed its content check. */
class RejectedAnswer extends Error {}

/**
 * Whether an error says the model answered, but not in the shape asked for: LangChain's
 * output parsing failures, zod's validation errors and JSON syntax errors, thrown while the
 * answer is parsed. Anything else (connection, HTTP status, timeout) is the endpoint failing.
 */
function isAnswerError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error instanceof OutputParserException || error instanceof SyntaxError) return true;
  if ((error as { lc_error_code?: unknown }).lc_error_code === "OUTPUT_PARSING_FAILURE") return true;
  return Array.isArray((error as { issues?: unknown }).issues) && /ZodError/.test(error.name || error.constructor.name);
}

function skipped(usage: LlmUsage | undefined): never {
  usage?.skip();
  throw new JottyError({
    code: "llm_error",
    message: "The model is not called for now: it failed repeatedly and its circuit breaker is open.",
    details: { reason: "circuit_open" },
  });
}

async function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Asks a chat model for an answer of a given zod shape through LangChain's structured output,
 * with a timeout, usage counting, circuit breakers and an optional content check.
 *
 * @throws JottyError `llm_error` when a breaker is open, the call fails or times out, the
 *   answer does not match the schema, or the check rejects it (`details.reason` is
 *   `circuit_open`, `failed` or `rejected`); callers fall back to their offline path.
 */
export async function invokeStructured<Schema extends z.ZodType>({
  model,
  schema,
  name,
  messages,
  timeoutMs = LLM_DEFAULTS.timeoutMs,
  usage,
  breaker,
  transport,
  check,
}: InvokeStructuredOptions<Schema>): Promise<z.output<Schema>> {
  if (breaker !== undefined && !breaker.allow()) skipped(usage);
  if (transport !== undefined && !transport.allow()) {
    breaker?.release();
    skipped(usage);
  }
  usage?.call();
  let answered = false;
  try {
    const runnable = model.withStructuredOutput(schema as z.ZodType<Record<string, unknown>>, { name, includeRaw: true });
    const result: unknown = await withTimeout(runnable.invoke(messages, { timeout: timeoutMs }), timeoutMs);
    answered = true;
    transport?.recordSuccess();
    // Chat models return { raw, parsed }; some test doubles return the parsed object itself.
    const withRaw = result as { raw?: unknown; parsed?: unknown } | null;
    const hasRaw = withRaw !== null && typeof withRaw === "object" && "raw" in withRaw && "parsed" in withRaw;
    if (hasRaw) usage?.addTokens(withRaw.raw);
    const parsed = schema.safeParse(hasRaw ? withRaw.parsed : result);
    if (!parsed.success) {
      throw new Error(`malformed answer: ${issueList(parsed.error).join("; ")}`);
    }
    const issue = check?.(parsed.data);
    if (issue !== undefined) throw new RejectedAnswer(`answer rejected: ${issue}`);
    breaker?.recordSuccess();
    return parsed.data;
  } catch (error) {
    const rejected = error instanceof RejectedAnswer;
    if (rejected) usage?.reject();
    else usage?.failure();
    breaker?.recordFailure();
    if (!answered && !isAnswerError(error)) transport?.recordFailure();
    else if (!answered) transport?.recordSuccess();
    throw new JottyError({
      code: "llm_error",
      message: `The model's ${name} call failed: ${errorMessage(error)}`,
      details: { name, reason: rejected ? "rejected" : "failed" },
      cause: error,
    });
  }
}
