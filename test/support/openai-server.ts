import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { HashingEmbedder } from "../../src/index.js";

/** What the fake server saw. */
export interface RecordedRequest {
  path: string;
  authorization: string | undefined;
  body: Record<string, unknown>;
}

/** A running fake server. */
export interface OpenAICompatibleServer {
  baseURL: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as Record<string, unknown>;
}

/**
 * A small server on 127.0.0.1 that answers in the OpenAI API's format: `/v1/embeddings`
 * (float arrays, or base64 of little-endian float32 when asked), embedding with the hashing
 * embedder so results carry meaning, and `/v1/chat/completions` with the text `chat` gives
 * (as a tool call when the request offers tools), reporting token usage.
 */
export async function startOpenAICompatibleServer({
  dimensions = 64,
  chat = () => "{}",
}: {
  dimensions?: number;
  /** The assistant's text for a chat request (JSON for structured output). */
  chat?: (body: Record<string, unknown>) => string;
} = {}): Promise<OpenAICompatibleServer> {
  const embedder = new HashingEmbedder({ dimensions });
  const requests: RecordedRequest[] = [];
  const server: Server = createServer(async (request, response) => {
    const body = await readJson(request);
    requests.push({ path: request.url ?? "", authorization: request.headers.authorization, body });
    if (request.url === "/v1/embeddings" && request.method === "POST") {
      const input = body.input;
      const texts = Array.isArray(input) ? (input as unknown[]).map(String) : [String(input)];
      const base64 = body.encoding_format === "base64";
      const data = texts.map((text, index) => {
        const vector = embedder.embed(text);
        return {
          object: "embedding",
          index,
          embedding: base64 ? Buffer.from(vector.buffer).toString("base64") : Array.from(vector),
        };
      });
      const tokens = texts.reduce((sum, text) => sum + text.split(/\s+/).length, 0);
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify({ object: "list", data, model: body.model, usage: { prompt_tokens: tokens, total_tokens: tokens } }));
      return;
    }
    if (request.url === "/v1/chat/completions" && request.method === "POST") {
      const content = chat(body);
      const tools = body.tools as Array<{ function: { name: string } }> | undefined;
      // Tool-calling structured output answers with a call; JSON-schema structured output with content.
      const message =
        tools !== undefined && tools.length > 0
          ? {
              role: "assistant",
              content: null,
              tool_calls: [{ id: "call_1", type: "function", function: { name: tools[0]?.function.name, arguments: content } }],
            }
          : { role: "assistant", content };
      response.writeHead(200, { "content-type": "application/json" });
      response.end(
        JSON.stringify({
          id: "chatcmpl-test",
          object: "chat.completion",
          created: 1_700_000_000,
          model: body.model,
          choices: [{ index: 0, message, finish_reason: message.content === null ? "tool_calls" : "stop", logprobs: null }],
          usage: { prompt_tokens: 42, completion_tokens: 17, total_tokens: 59 },
        }),
      );
      return;
    }
    response.writeHead(404, { "content-type": "application/json" });
    response.end(JSON.stringify({ error: { message: `no route ${request.url}`, type: "invalid_request_error" } }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
