import { distance as editDistance } from "fastest-levenshtein";

/** Lower-case terms of a text: letters, digits and underscores (column names stay whole). */
export function searchTerms(text: string): string[] {
  return text.toLowerCase().split(/[^\p{L}\p{N}_]+/u).filter((term) => term.length > 0);
}

/** Edits a query term may be away from a memory's term: 1 up to 4 letters, 2 up to 8, 3 beyond. */
function allowedEdits(term: string): number {
  return term.length <= 4 ? 1 : term.length <= 8 ? 2 : 3;
}

/**
 * Which memories hold which terms, and the terms by length, so a misspelled query term is
 * compared with the distinct terms of about its length (the vocabulary) instead of with
 * every memory's text.
 */
export class TermIndex {
  private readonly holders = new Map<string, Set<string>>();
  private readonly byLength = new Map<number, Set<string>>();
  private readonly termsOf = new Map<string, string[]>();

  /** Indexes (or re-indexes) the text of a memory. */
  add(id: string, text: string): void {
    this.remove(id);
    const terms = [...new Set(searchTerms(text))];
    this.termsOf.set(id, terms);
    for (const term of terms) {
      let ids = this.holders.get(term);
      if (ids === undefined) {
        ids = new Set();
        this.holders.set(term, ids);
        let sameLength = this.byLength.get(term.length);
        if (sameLength === undefined) {
          sameLength = new Set();
          this.byLength.set(term.length, sameLength);
        }
        sameLength.add(term);
      }
      ids.add(id);
    }
  }

  /** Forgets a memory's terms. */
  remove(id: string): void {
    for (const term of this.termsOf.get(id) ?? []) {
      const ids = this.holders.get(term);
      ids?.delete(id);
      if (ids !== undefined && ids.size === 0) {
        this.holders.delete(term);
        this.byLength.get(term.length)?.delete(term);
      }
    }
    this.termsOf.delete(id);
  }

  /**
   * How well each memory spells out the query: for every query term, the closest of the
   * memory's terms within its edit allowance scores 1 − edits / the longer length (else 0);
   * a memory's score is the mean over the query terms. Memories matching no term are left out.
   */
  scores(query: readonly string[]): Map<string, number> {
    const totals = new Map<string, number>();
    if (query.length === 0) return totals;
    for (const term of query) {
      const allowed = allowedEdits(term);
      const best = new Map<string, number>();
      for (let length = Math.max(1, term.length - allowed); length <= term.length + allowed; length += 1) {
        for (const candidate of this.byLength.get(length) ?? []) {
          const edits = candidate === term ? 0 : editDistance(term, candidate);
          if (edits > allowed) continue;
          const score = 1 - edits / Math.max(term.length, candidate.length);
          for (const id of this.holders.get(candidate) as Set<string>) {
            if (score > (best.get(id) ?? 0)) best.set(id, score);
          }
        }
      }
      for (const [id, score] of best) totals.set(id, (totals.get(id) ?? 0) + score);
    }
    for (const [id, total] of totals) totals.set(id, total / query.length);
    return totals;
  }
}
