import { OpenAIEmbeddings } from "@langchain/openai";
import type { EmbeddingsConfig } from "../config/index.js";
import { JottyError } from "../errors/index.js";
import type { Embedder } from "./embedder.js";
import { HashingEmbedder } from "./hashing-embedder.js";

/**
 * The embedder a config names: the offline hashing embedder by default, or
 * `OpenAIEmbeddings` against any OpenAI-compatible endpoint.
 *
 * @param config - the config's `embeddings` section.
 * @param env - where API keys are read. @default process.env
 * @throws JottyError `config_invalid` when an OpenAI embedder has no key and no local base URL.
 */
export function createEmbedder(
  config: EmbeddingsConfig,
  env: Record<string, string | undefined> = process.env,
): Embedder {
  if (config.provider === "hashing") return new HashingEmbedder({ dimensions: config.dimensions });
  const apiKey = env[config.apiKeyEnv];
  if (apiKey === undefined && config.baseURL === undefined) {
    throw new JottyError({
      code: "config_invalid",
      message: `embeddings.provider is "openai" but the environment variable ${config.apiKeyEnv} is not set. Set it, or give embeddings.baseURL for a local server that needs no key.`,
      details: { apiKeyEnv: config.apiKeyEnv },
    });
  }
  return new OpenAIEmbeddings({
    model: config.model,
    // Local OpenAI-compatible servers usually ignore the key, but the client requires one.
    apiKey: apiKey ?? "not-needed",
    ...(config.dimensions === undefined ? {} : { dimensions: config.dimensions }),
    ...(config.baseURL === undefined ? {} : { configuration: { baseURL: config.baseURL } }),
  });
}
