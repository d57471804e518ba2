import { OpenAIEmbeddings } from "@langchain/openai";
import { resolveApiKey, type EmbeddingsConfig } from "../config/index.js";
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
  const apiKey = resolveApiKey({ apiKeyEnv: config.apiKeyEnv, baseURL: config.baseURL, what: "embeddings", env });
  return new OpenAIEmbeddings({
    model: config.model,
    apiKey,
    ...(config.dimensions === undefined ? {} : { dimensions: config.dimensions }),
    ...(config.baseURL === undefined ? {} : { configuration: { baseURL: config.baseURL } }),
  });
}
