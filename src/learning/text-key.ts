/** Text as compared by the Q-table: Unicode-normalised, trimmed, spaces collapsed, lower case. */
export function normalizeText(text: string): string {
  return text.normalize("NFKC").trim().replace(/\s+/g, " ").toLowerCase();
}

/** The table key of a (state, action) pair. */
export function pairKey(state: string, action: string): string {
  return `${normalizeText(state)}\u241e${normalizeText(action)}`;
}
