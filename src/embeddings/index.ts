export { contentWords, HashingEmbedder, tokenize } from "./hashing-embedder.js";
export type { HashingEmbedderOptions } from "./hashing-embedder.js";
export { embedderId, embedTexts } from "./embedder.js";
export type { Embedder } from "./embedder.js";
export { createEmbedder } from "./create-embedder.js";
export { cosineSimilarity, normalize } from "./cosine.js";
export { FlatVectorIndex } from "./flat-vector-index.js";
export type { FlatVectorIndexOptions } from "./flat-vector-index.js";
export type { VectorFilter, VectorIndex, VectorMatch, VectorTags } from "./vector-index.js";
