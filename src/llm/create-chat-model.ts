import { ChatOpenAI } from "@langchain/openai";
import type { z } from "zod";
import type { LlmSchema } from "../config/index.js";
import { JottyError } from "../errors/index.js";

/** The config's `llm` section, parsed. */
export type LlmConfig = z.infer<typeof LlmSchema>;

/**
 * A `ChatOpenAI` from the config's `llm` section; any OpenAI-compatible server works through
 * `baseURL`. The key is read from the environment variable the config names.
 *
 * @param env - where the key is read. @default process.env
 * @throws JottyError `config_invalid` when the key is missing and no local base URL is set.
 */
export function createChatModel(config: LlmConfig, env: Record<string, string | undefined> = process.env): ChatOpenAI {
  const apiKey = env[config.apiKeyEnv];
  if (apiKey === undefined && config.baseURL === undefined) {
    throw new JottyError({
      code: "config_invalid",
      message: `llm.model is "${config.model}" but the environment variable ${config.apiKeyEnv} is not set. Set it, or give llm.baseURL for a local server that needs no key.`,
      details: { apiKeyEnv: config.apiKeyEnv },
    });
  }
  return new ChatOpenAI({
    model: config.model,
    temperature: config.temperature,
    timeout: config.timeoutMs,
    maxRetries: config.maxRetries,
    // Local OpenAI-compatible servers usually ignore the key, but the client requires one.
    apiKey: apiKey ?? "not-needed",
    ...(config.baseURL === undefined ? {} : { configuration: { baseURL: config.baseURL } }),
  });
}
