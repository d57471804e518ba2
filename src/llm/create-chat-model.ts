import { ChatOpenAI } from "@langchain/openai";
import type { z } from "zod";
import { resolveApiKey, type LlmSchema } from "../config/index.js";

/** The config's `llm` section, parsed. */
export type LlmConfig = z.infer<typeof LlmSchema>;

/**
 * A `ChatOpenAI` from the config's `llm` section; any OpenAI-compatible server works through
 * `baseURL`. The key is read from the environment variable the config names.
 *
 * @param env - where the key is read. @default process.env
 * @throws JottyError `config_invalid` when the key is missing and no local base URL is set.
 */
export function createChatModel(config: Omit<LlmConfig, "costPer1kTokens">, env: Record<string, string | undefined> = process.env): ChatOpenAI {
  const apiKey = resolveApiKey({ apiKeyEnv: config.apiKeyEnv, baseURL: config.baseURL, what: "llm", env });
  return new ChatOpenAI({
    model: config.model,
    temperature: config.temperature,
    timeout: config.timeoutMs,
    maxRetries: config.maxRetries,
    apiKey,
    ...(config.baseURL === undefined ? {} : { configuration: { baseURL: config.baseURL } }),
  });
}
