import type { QPredictorConfig } from "../config/index.js";
import type { QEntry } from "./q-entry.js";
import type { QTable } from "./q-table.js";
import { retentionScore } from "./retention.js";

/** Options of {@link maintainTiers}. */
export interface MaintainTiersOptions {
  table: QTable;
  /** The configured reward range; values are read against it (or the table's range). */
  rewardRange: readonly [number, number] | undefined;
  /** Episodes completed. */
  episode: number;
  tiers: QPredictorConfig["tiers"];
  /** Whether archived entries are promoted now (learning has stalled long enough). */
  promote: boolean;
}

/**
 * Re-ranks a Q-table's entries into tiers by retention score (tier 1 the best `tier1`, tier 2
 * the next `tier2`, tier 3 the rest), promotes up to `promoteCount` archived entries when
 * `promote`, and prunes archived entries visited at most once and not updated for more than
 * `pruneAfter` episodes.
 */
export function maintainTiers({ table, rewardRange, episode, tiers, promote }: MaintainTiersOptions): { promoted: number; pruned: number } {
  const ranked = retier({ table, rewardRange, episode, tiers });
  let promoted = 0;
  if (promote) {
    for (const { entry } of ranked) {
      if (promoted >= tiers.promoteCount) break;
      if (entry.tier === 3) {
        entry.promoted = true;
        entry.tier = 2;
        promoted += 1;
      }
    }
  }
  let pruned = 0;
  for (const { key, entry } of ranked) {
    if (entry.tier === 3 && entry.visits <= 1 && episode - entry.lastUpdatedEpisode > tiers.pruneAfter) {
      table.remove(key);
      pruned += 1;
    }
  }
  if (pruned > 0) retier({ table, rewardRange, episode, tiers });
  return { promoted, pruned };
}

function retier({ table, rewardRange, episode, tiers }: Omit<MaintainTiersOptions, "promote">): Array<{ entry: QEntry; key: string; score: number }> {
  const range = table.valueRange(rewardRange);
  const ranked = [...table.pairs()]
    .map(([key, entry]) => ({ key, entry, score: retention(entry, { range, episode, pruneAfter: tiers.pruneAfter }) }))
    .sort((a, b) => b.score - a.score);
  ranked.forEach(({ entry }, position) => {
    const tier = position < tiers.tier1 ? 1 : position < tiers.tier1 + tiers.tier2 ? 2 : 3;
    entry.tier = tier === 3 && entry.promoted ? 2 : tier;
  });
  return ranked;
}

function retention(entry: QEntry, { range: [low, high], episode, pruneAfter }: { range: [number, number]; episode: number; pruneAfter: number }): number {
  const meanAbsoluteTdError =
    entry.tdErrors.length === 0 ? 0 : entry.tdErrors.reduce((sum, error) => sum + Math.abs(error), 0) / entry.tdErrors.length;
  return retentionScore({
    normalizedValue: Math.min(1, Math.max(0, (entry.value - low) / (high - low))),
    visits: entry.visits,
    meanAbsoluteTdError: Math.min(1, meanAbsoluteTdError / (high - low)),
    staleness: Math.min(1, (episode - entry.lastUpdatedEpisode) / pruneAfter),
  });
}
