import { embedTexts, type Embedder } from "../embeddings/index.js";
import { invalidArgument } from "./invalid-argument.js";

/**
 * The vector of one text. Pass the embedder itself for queries and goals (through its cache when
 * it has one), or `baseEmbedder(embedder)` for memory contents, which are embedded once and kept
 * in the index, so caching them would only crowd out queries.
 *
 * @throws JottyError `invalid_argument` when the embedder returns no vector.
 */
export async function embedOne(embedder: Embedder, text: string): Promise<Float32Array> {
  const [vector] = await embedTexts(embedder, [text]);
  if (vector === undefined) throw invalidArgument("The embedder returned no vector.");
  return vector;
}
