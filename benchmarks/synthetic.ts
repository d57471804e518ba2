import { MEMORY_LEVELS, MEMORY_SNAPSHOT_VERSION, Q_PREDICTOR_SNAPSHOT_VERSION, type MemoryEntry, type MemorySnapshot, type QPredictorSnapshot, type Rng } from "../src/index.js";

const DOMAIN_WORDS = (
  "revenue settled pending failed refund merchant transaction payment daily weekly monthly region country " +
  "category channel app web pos atm bill transfer amount cents currency status partition timestamp column " +
  "filter group count sum average median user signup tier report dashboard query join table schema index"
).split(" ");

/** A vocabulary of pseudo-words, so texts are varied the way real notes are. */
export function vocabulary(rng: Rng, size: number): string[] {
  const syllables = ["ka", "lo", "mi", "ren", "ta", "vo", "shi", "dra", "pel", "qu", "zin", "mor", "ex", "ul", "bri", "sta"];
  const words = new Set<string>();
  while (words.size < size) {
    const length = rng.int(2, 4);
    words.add(Array.from({ length }, () => rng.choice(syllables)).join(""));
  }
  return [...words];
}

export function sentence(rng: Rng, words: readonly string[]): string {
  const length = rng.int(8, 16);
  return Array.from({ length }, () => (rng.next() < 0.35 ? rng.choice(DOMAIN_WORDS) : rng.choice(words))).join(" ");
}

const OUTCOMES = ["succeeded", "failed", "timed out", "needed a retry", "was refused", "was escalated"];

/**
 * A memory of a recurring situation, as a team's experience is: one of 2,000 situations (its
 * subject, problem and tool words fixed by the situation), what happened, and details of the
 * episode. Memories of one situation are near one another, unlike {@link sentence}'s.
 */
export function situationSentence(rng: Rng, words: readonly string[]): string {
  const situation = rng.int(0, 1999);
  const pick = (salt: number): string => words[(situation * salt + salt * 31) % words.length] as string;
  return `${pick(3)} ${pick(7)} ${rng.choice(OUTCOMES)} at step ${rng.int(1, 12)} with ${pick(11)} ${pick(13)} then ${rng.choice(words)} ${rng.choice(DOMAIN_WORDS)} in episode ${rng.int(0, 999_999)}`;
}

export function percentile(sorted: readonly number[], share: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))] as number;
}

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

export function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

export function megabytes(bytes: number): number {
  return Math.round((bytes / 1_048_576) * 10) / 10;
}

/** A snapshot of `size` memories spread over the five levels, as a long-running team would have. */
export function syntheticSnapshot(rng: Rng, words: readonly string[], size: number, content: (rng: Rng, words: readonly string[]) => string = sentence): MemorySnapshot {
  const entries: MemoryEntry[] = [];
  const seen = new Set<string>();
  while (entries.length < size) {
    const text = content(rng, words);
    if (seen.has(text)) continue;
    seen.add(text);
    const position = entries.length;
    const level = MEMORY_LEVELS[position % MEMORY_LEVELS.length] as MemoryEntry["level"];
    entries.push({
      id: `bench:general:${level}:${position.toString(16).padStart(16, "0")}`,
      level,
      kind: level === "episodic" ? (rng.next() < 0.5 ? "success" : "failure") : level === "semantic" ? "pattern" : level === "procedural" ? "procedure" : level,
      content: text,
      metadata: { domain: "bench", taskType: "general", actor: `actor-${position % 4}`, sourceEpisodes: [] },
      values: { [`goal ${position % 20}`]: { value: rng.next(), visits: rng.int(0, 5) } },
      accessCount: rng.int(0, 10),
      lastAccess: null,
      createdAt: 1_700_000_000_000 + position,
      updatedAt: 1_700_000_000_000 + position,
      timesStored: 1,
      protected: level === "meta",
      causalLinks: [],
      sources: [],
    });
  }
  return { schemaVersion: MEMORY_SNAPSHOT_VERSION, name: "bench", embedder: "none", totalAccesses: 0, entries, goals: {} };
}

/** A Q-predictor snapshot with `size` entries, as a long-running team would have. */
export function syntheticQSnapshot(rng: Rng, words: readonly string[], size: number): QPredictorSnapshot {
  const entries: QPredictorSnapshot["entries"] = Array.from({ length: size }, (_, index) => ({
    state: `${sentence(rng, words)} #${Math.floor(index / 20)}`,
    action: `${sentence(rng, words).split(" ").slice(0, 6).join(" ")} #${index % 20}`,
    value: rng.normal(),
    visits: rng.int(1, 30),
    averageReward: rng.normal(),
    tdErrors: Array.from({ length: 5 }, () => rng.normal(0, 0.2)),
    lessons: [],
    createdEpisode: 0,
    lastUpdatedEpisode: rng.int(0, 100),
    tier: 3,
    promoted: false,
  }));
  return {
    schemaVersion: Q_PREDICTOR_SNAPSHOT_VERSION,
    embedder: "hashing-v1-384",
    episode: 100,
    entries,
    buffer: [],
    calibration: [],
    progress: { bestReturn: null, episodesWithoutImprovement: 0 },
    usage: { calls: 0, failures: 0, rejected: 0, skipped: 0, inputTokens: 0, outputTokens: 0 },
  };
}
