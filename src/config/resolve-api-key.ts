import { JottyError } from "../errors/index.js";

/**
 * The API key for an OpenAI-compatible endpoint, read from the environment variable the config
 * names. Local servers usually ignore the key but the client requires one, so a configured
 * `baseURL` without a key gets a placeholder.
 *
 * @param what - the config section, for the message (`llm`, `embeddings`).
 * @throws JottyError `config_invalid` when the key is missing and no base URL is set.
 */
export function resolveApiKey({
  apiKeyEnv,
  baseURL,
  what,
  env,
}: {
  apiKeyEnv: string;
  baseURL: string | undefined;
  what: string;
  env: Record<string, string | undefined>;
}): string {
  const apiKey = env[apiKeyEnv];
  if (apiKey !== undefined) return apiKey;
  if (baseURL !== undefined) return "not-needed";
  throw new JottyError({
    code: "config_invalid",
    message: `${what} names an OpenAI-compatible model but the environment variable ${apiKeyEnv} is not set. Set it, or give ${what}.baseURL for a local server that needs no key.`,
    details: { apiKeyEnv, section: what },
  });
}
