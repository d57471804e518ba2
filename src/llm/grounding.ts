import { contentWords } from "../embeddings/index.js";

/** Options of {@link groundingIssue}. */
export interface GroundingOptions {
  /** Share of the text's content words that must occur in the evidence. @default 0.5 */
  minShare?: number;
  /** Fewest content words the text must have. @default 2 */
  minWords?: number;
}

/** Words of five letters or more match on their first five, so `filters` matches `filtered`. */
function stem(word: string): string {
  return word.length >= 5 ? word.slice(0, 5) : word;
}

/**
 * Why a model-written text is not grounded in the evidence it was asked to distil, or
 * `undefined` when it is: the text must hold at least `minWords` content words, and at least
 * `minShare` of them must occur (by their first five letters) in the evidence. An empty answer,
 * a JSON object (`{}`, `{"action": …}`) and text about something else all fail.
 */
export function groundingIssue(text: string, evidence: readonly string[], { minShare = 0.5, minWords = 2 }: GroundingOptions = {}): string | undefined {
  const trimmed = text.trim();
  if (trimmed.length === 0) return "the text is empty";
  if (/^[{[]/.test(trimmed)) return "the text is a JSON value, not prose";
  const words = [...new Set(contentWords(trimmed).map(stem))];
  if (words.length < minWords) return `the text has ${words.length} content word${words.length === 1 ? "" : "s"}, fewer than ${minWords}`;
  const known = new Set(evidence.flatMap((item) => contentWords(item).map(stem)));
  const grounded = words.filter((word) => known.has(word)).length;
  const share = grounded / words.length;
  if (share < minShare) {
    return `only ${grounded} of its ${words.length} content words (${Math.round(share * 100)}%) occur in the evidence it summarises; at least ${Math.round(minShare * 100)}% must`;
  }
  return undefined;
}
