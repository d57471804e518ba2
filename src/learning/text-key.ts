const recent = new Map<string, string>();

/** Text as compared by the Q-table: Unicode-normalised, trimmed, spaces collapsed, lower case. */
export function normalizeText(text: string): string {
  // States and actions recur step after step; normalising them once is enough.
  const cached = recent.get(text);
  if (cached !== undefined) return cached;
  const normalized = text.normalize("NFKC").trim().replace(/\s+/g, " ").toLowerCase();
  if (recent.size >= 4096) recent.clear();
  recent.set(text, normalized);
  return normalized;
}

/** The table key of a (state, action) pair. */
export function pairKey(state: string, action: string): string {
  return `${normalizeText(state)}\u241e${normalizeText(action)}`;
}
