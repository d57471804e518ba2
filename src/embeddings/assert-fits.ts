import { JottyError } from "../errors/index.js";

/**
 * Checks that a vector (or a query) has the index's length.
 *
 * @throws JottyError `invalid_argument` saying what to do when it has not.
 */
export function assertFits(vector: ArrayLike<number>, dimensions: number, what: "vector" | "query"): void {
  if (vector.length === dimensions) return;
  throw new JottyError({
    code: "invalid_argument",
    message:
      what === "query"
        ? `A query of length ${vector.length} does not fit an index of ${dimensions} dimensions; embed it with the index's embedder.`
        : `A vector of length ${vector.length} does not fit an index of ${dimensions} dimensions; use the same embedder for every vector.`,
    details: { length: vector.length, dimensions },
  });
}
