import { OpenAIEmbeddings } from "@langchain/openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cosineSimilarity, createEmbedder, HashingEmbedder, HierarchicalMemory, JottyError } from "../../src/index.js";
import { startOpenAICompatibleServer, type OpenAICompatibleServer } from "../support/openai-server.js";

let server: OpenAICompatibleServer;

beforeAll(async () => {
  server = await startOpenAICompatibleServer({ dimensions: 64 });
});

afterAll(async () => {
  await server.close();
});

describe("createEmbedder", () => {
  it("builds the offline hashing embedder by default", () => {
    const embedder = createEmbedder({ provider: "hashing", dimensions: 128 });
    expect(embedder).toBeInstanceOf(HashingEmbedder);
    expect((embedder as HashingEmbedder).dimensions).toBe(128);
  });

  it("builds OpenAIEmbeddings that talk to an OpenAI-compatible server", async () => {
    const embedder = createEmbedder(
      { provider: "openai", model: "tiny-embedder", baseURL: server.baseURL, apiKeyEnv: "JOTTY_TEST_KEY" },
      { JOTTY_TEST_KEY: "secret-key" },
    );
    expect(embedder).toBeInstanceOf(OpenAIEmbeddings);
    const [first, second] = await embedder.embedDocuments(["settled payments per day", "train a cat"]);
    const query = await embedder.embedQuery("daily settled payments");
    expect(first).toHaveLength(64);
    expect(cosineSimilarity(query, first as number[])).toBeGreaterThan(cosineSimilarity(query, second as number[]));
    const request = server.requests.find((seen) => seen.path === "/v1/embeddings");
    expect(request?.authorization).toBe("Bearer secret-key");
    expect(request?.body.model).toBe("tiny-embedder");
  });

  it("lets a memory retrieve through the remote embedder", async () => {
    const embedder = createEmbedder(
      { provider: "openai", model: "tiny-embedder", baseURL: server.baseURL, apiKeyEnv: "JOTTY_TEST_KEY" },
      {},
    );
    const memory = new HierarchicalMemory({ embedder });
    await memory.store({ level: "episodic", content: "Count only settled transactions for revenue" });
    await memory.store({ level: "episodic", content: "The office plant needs water on Mondays" });
    const [best] = await memory.retrieve({ goal: "revenue from settled transactions", k: 1 });
    expect(best?.content).toBe("Count only settled transactions for revenue");
  });

  it("asks for a key when neither a key nor a local server is configured", () => {
    const thrown = (() => {
      try {
        createEmbedder({ provider: "openai", model: "m", apiKeyEnv: "JOTTY_MISSING_KEY" }, {});
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(thrown).toBeInstanceOf(JottyError);
    expect(thrown).toMatchObject({
      code: "config_invalid",
      message: "embeddings names an OpenAI-compatible model but the environment variable JOTTY_MISSING_KEY is not set. Set it, or give embeddings.baseURL for a local server that needs no key.",
      details: { apiKeyEnv: "JOTTY_MISSING_KEY", section: "embeddings" },
    });
    // The key is read from the environment it is given, not from process.env.
    expect(() => createEmbedder({ provider: "openai", model: "m", apiKeyEnv: "JOTTY_MISSING_KEY" }, { JOTTY_MISSING_KEY: "k" })).not.toThrow();
  });
});
