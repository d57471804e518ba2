import { JottyError } from "../errors/index.js";
import { visibleActors } from "./is-visible.js";
import type { MemoryEntry } from "./memory-entry.js";
import type { MemoryLevel } from "./memory-level.js";
import type { MemoryParts } from "./memory-parts.js";
import { similarMemories } from "./similar-memories.js";
import { searchTerms } from "./term-index.js";

/** What {@link HierarchicalMemory.search} is asked. */
export interface SearchQuery {
  text: string;
  /** @default 10 */
  k?: number;
  /** Also match by spelling. @default false */
  fuzzy?: boolean;
  levels?: readonly MemoryLevel[];
  actors?: readonly string[];
  /** Search on behalf of this actor (null: the whole team): other actors' memories are left out. */
  visibleTo?: string | null;
  /** @default 0.3 */
  minScore?: number;
}

/** A memory found by {@link HierarchicalMemory.search}, copied, with its scores. */
export interface SearchMatch {
  entry: MemoryEntry;
  /** The larger of the two below. */
  score: number;
  /** Cosine to the text. */
  semantic: number;
  /** How well the memory spells the text's terms (0 without `fuzzy`). */
  fuzzy: number;
}

/**
 * Memories matching a text by sense and, with `fuzzy`, by spelling (the body of
 * {@link HierarchicalMemory.search}). A memory scores the better of the two, so a misspelled
 * name found only by spelling is not drowned by weak semantic neighbours.
 *
 * @throws JottyError `invalid_argument` for an empty text or a bad `k`.
 */
export async function searchMemories(
  parts: Pick<MemoryParts, "table" | "embedder" | "searches">,
  { text, k = 10, fuzzy = false, levels, actors, visibleTo, minScore = 0.3 }: SearchQuery,
): Promise<SearchMatch[]> {
  const { table } = parts;
  if (typeof text !== "string" || text.trim() === "") {
    throw new JottyError({ code: "invalid_argument", message: "search needs a non-empty text to look for." });
  }
  if (!Number.isInteger(k) || k < 1) throw new JottyError({ code: "invalid_argument", message: `search's k must be a positive whole number, got ${k}.` });
  const semantic = new Map(
    (
      await similarMemories(parts, {
        text,
        k: Math.max(4 * k, 32),
        ...(levels === undefined ? {} : { levels }),
        ...(actors === undefined ? {} : { actors }),
        ...(visibleTo === undefined ? {} : { visibleTo }),
      })
    ).map((match) => [match.entry.id, match.score]),
  );
  const spelled = new Map<string, number>();
  if (fuzzy) {
    const all = searchTerms(text);
    // Short words (of, on, id) match too much by a letter's edit; they count only when there is nothing else.
    const long = all.filter((term) => term.length >= 3);
    const terms = long.length > 0 ? long : all;
    // The owners allowed are those the index filters the search by meaning with (null: none).
    const owners = visibleActors(actors, visibleTo);
    for (const [id, score] of table.termIndex().scores(terms)) {
      const entry = table.get(id) as MemoryEntry;
      if (levels !== undefined && !levels.includes(entry.level)) continue;
      if (owners !== undefined && !owners.includes(entry.metadata.actor ?? null)) continue;
      spelled.set(id, score);
    }
  }
  const ids = new Set([...semantic.keys(), ...spelled.keys()]);
  return [...ids]
    .map((id) => {
      const bySense = semantic.get(id) ?? 0;
      const bySpelling = spelled.get(id) ?? 0;
      return { id, score: Math.max(bySense, bySpelling), semantic: bySense, fuzzy: bySpelling };
    })
    .filter((match) => match.score >= minScore)
    .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1))
    .slice(0, k)
    .map(({ id, ...scores }) => ({ entry: structuredClone(table.get(id) as MemoryEntry), ...scores }));
}
