import { Embeddings } from "@langchain/core/embeddings";
import { JottyError } from "../errors/index.js";

/** Options of {@link HashingEmbedder}. */
export interface HashingEmbedderOptions {
  /** Length of every vector. @default 384 */
  dimensions?: number;
}

// Words that carry little meaning on their own; leaving them out lets paraphrases meet.
// Negations are kept: "names no status" must not read as "names a status".
const STOP_WORDS = new Set(
  (
    "a an the and or but if then else of to in on at by for with from into onto over under about as is are was were be been " +
    "being do does did doing have has had having it its this that these those there here i me my we our you your he she they " +
    "them their what which who whom whose how why when where can could should would will shall may might must so than " +
    "too very just also any all each every some such only own same both few more most other"
  ).split(" "),
);

/** The meaningful words of a text: tokens without stop words or one-letter words. */
export function contentWords(text: string): string[] {
  return tokenize(text).filter((word) => word.length > 1 && !STOP_WORDS.has(word));
}

const UNIGRAM_WEIGHT = 1;
const BIGRAM_WEIGHT = 0.6;
const TRIGRAM_WEIGHT = 0.35;

/** FNV-1a over UTF-16 code units, seeded so each feature kind has its own hash family. */
function fnv1a(text: string, seed: number): number {
  let hash = (0x811c9dc5 ^ seed) >>> 0;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Lower-cased word tokens, accents removed. */
export function tokenize(text: string): string[] {
  return (
    text
      .normalize("NFKD")
      .replace(/\p{M}+/gu, "")
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu) ?? []
  );
}

/**
 * An offline, deterministic text embedder: feature-hashed word unigrams and bigrams plus
 * character 3-grams, sublinear term frequency (1 + ln tf), signed hashing, L2-normalised.
 *
 * It implements LangChain's `Embeddings`, so it plugs in wherever an embedding model does;
 * `embed()` is the synchronous form used on hot paths.
 *
 * @example
 * ```ts
 * const embedder = new HashingEmbedder();
 * const [vector] = await embedder.embedDocuments(["count settled payments by day"]);
 * ```
 */
export class HashingEmbedder extends Embeddings {
  /** Length of every vector. */
  readonly dimensions: number;

  /**
   * @param options - dimensions.
   * @throws JottyError `invalid_argument` when dimensions is not an integer in [8, 65536].
   */
  constructor(options: HashingEmbedderOptions = {}) {
    super({});
    const dimensions = options.dimensions ?? 384;
    if (!Number.isInteger(dimensions) || dimensions < 8 || dimensions > 65_536) {
      throw new JottyError({
        code: "invalid_argument",
        message: `HashingEmbedder dimensions must be an integer between 8 and 65536, got ${dimensions}.`,
        details: { dimensions },
      });
    }
    this.dimensions = dimensions;
  }

  /** A stable name of this embedder and its settings, recorded with stored vectors. */
  get id(): string {
    return `hashing-v1-${this.dimensions}`;
  }

  /** The vector of one text (all zeros for a text with no words). */
  embed(text: string): Float32Array {
    const vector = new Float32Array(this.dimensions);
    const counts = new Map<string, number>();
    const add = (feature: string): void => {
      counts.set(feature, (counts.get(feature) ?? 0) + 1);
    };
    const words = tokenize(text);
    const content = words.filter((word) => !STOP_WORDS.has(word));
    const kept = content.length > 0 ? content : words;
    for (let index = 0; index < kept.length; index += 1) {
      const word = kept[index] as string;
      add(`w ${word}`);
      if (index > 0) add(`b ${kept[index - 1]} ${word}`);
      const padded = `#${word}#`;
      for (let start = 0; start + 3 <= padded.length; start += 1) add(`c ${padded.slice(start, start + 3)}`);
    }
    for (const [feature, count] of counts) {
      const kind = feature.charCodeAt(0);
      const weight = kind === 119 /* w */ ? UNIGRAM_WEIGHT : kind === 98 /* b */ ? BIGRAM_WEIGHT : TRIGRAM_WEIGHT;
      const hash = fnv1a(feature, 0);
      const sign = fnv1a(feature, 0x9e3779b9) & 1 ? 1 : -1;
      const slot = hash % this.dimensions;
      vector[slot] = (vector[slot] ?? 0) + sign * weight * (1 + Math.log(count));
    }
    let norm = 0;
    for (let index = 0; index < vector.length; index += 1) norm += (vector[index] ?? 0) ** 2;
    if (norm > 0) {
      const scale = 1 / Math.sqrt(norm);
      for (let index = 0; index < vector.length; index += 1) vector[index] = (vector[index] ?? 0) * scale;
    }
    return vector;
  }

  override async embedDocuments(documents: string[]): Promise<number[][]> {
    return documents.map((document) => Array.from(this.embed(document)));
  }

  override async embedQuery(document: string): Promise<number[]> {
    return Array.from(this.embed(document));
  }
}
