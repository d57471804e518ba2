import { cosineSimilarity, type VectorCache } from "../embeddings/index.js";
import { normalizeText } from "../learning/index.js";
import type { Clock } from "../util/index.js";
import type { IdSequence } from "./id-sequence.js";
import { invalidArgument } from "./invalid-argument.js";
import type { ErrorSolution } from "./schemas.js";

/**
 * Known ways out of errors, with how often applying each worked, found again for a new error
 * by its type, the similarity of its message and past success.
 */
export class ErrorSolutionStore {
  private readonly solutions = new Map<string, ErrorSolution>();
  private readonly ids: IdSequence;
  private readonly clock: Clock;
  private readonly vectors: VectorCache;

  constructor({ ids, clock, vectors }: { ids: IdSequence; clock: Clock; vectors: VectorCache }) {
    this.ids = ids;
    this.clock = clock;
    this.vectors = vectors;
  }

  /**
   * Records how an error was (or can be) solved; returns the solution's id.
   *
   * @throws JottyError `invalid_argument` without an approach.
   */
  record({ errorType, message, context = "", approach, steps = [] }: { errorType: string; message: string; context?: string; approach: string; steps?: readonly string[] }): string {
    if (approach.trim() === "") throw invalidArgument("An error solution needs its approach.");
    const id = this.ids.next("e");
    this.solutions.set(id, { id, errorType, message, context, approach, steps: [...steps], successes: 0, failures: 0, at: this.clock.now() });
    return id;
  }

  /**
   * Counts whether applying a solution worked.
   *
   * @throws JottyError `invalid_argument` for an unknown solution.
   */
  recordOutcome(id: string, success: boolean): void {
    const solution = this.solutions.get(id);
    if (solution === undefined) throw invalidArgument(`No error solution "${id}".`);
    if (success) solution.successes += 1;
    else solution.failures += 1;
  }

  /**
   * Known solutions for an error, best first: 0.5 × type match + 0.3 × message similarity +
   * 0.2 × past success (Laplace-smoothed); one of another type needs a similarity of 0.3.
   */
  async find({ errorType, message, limit = 5 }: { errorType: string; message: string; limit?: number }): Promise<Array<ErrorSolution & { rank: number }>> {
    const target = await this.vectors.get(message);
    const ranked: Array<ErrorSolution & { rank: number }> = [];
    for (const solution of this.solutions.values()) {
      const similarity = Math.max(0, cosineSimilarity(target, await this.vectors.get(solution.message)));
      const success = (solution.successes + 1) / (solution.successes + solution.failures + 2);
      const typeMatch = normalizeText(solution.errorType) === normalizeText(errorType) ? 1 : 0;
      const rank = 0.5 * typeMatch + 0.3 * similarity + 0.2 * success;
      if (typeMatch === 0 && similarity < 0.3) continue;
      ranked.push({ ...structuredClone(solution), rank });
    }
    return ranked.sort((a, b) => b.rank - a.rank).slice(0, limit);
  }

  /** Copies of every solution, for snapshots. */
  snapshot(): ErrorSolution[] {
    return [...this.solutions.values()].map((solution) => structuredClone(solution));
  }

  /** Replaces the contents with a snapshot's. */
  load(solutions: readonly ErrorSolution[]): void {
    this.solutions.clear();
    for (const solution of solutions) this.solutions.set(solution.id, solution);
  }
}
