import type { JottyConfig } from "../config/index.js";
import { CachedEmbedder, createEmbedder, type Embedder } from "../embeddings/index.js";
import { Vault, type JottyState } from "../persistence/index.js";
import type { Telemetry } from "../telemetry/index.js";
import type { Clock } from "../util/index.js";

/** The team's embedder: the one given or the config's, behind one LRU cache of vectors when `cache.embeddings` is above 0. */
export function teamEmbedder(config: JottyConfig, given: Embedder | undefined): Embedder {
  const raw = given ?? createEmbedder(config.embeddings);
  return config.cache.embeddings > 0 ? new CachedEmbedder(raw, { capacity: config.cache.embeddings }) : raw;
}

/**
 * Applies the learning mode to the output folder: PERSISTENT opens the Vault, takes the
 * folder's writer lease (before loading, so that a waiting run starts from what the other one
 * saved) and loads the newest run that restores; DISABLED opens it only to load the run
 * `persistence.loadRun` names; CONTEXTUAL opens nothing. A load that throws gives the lease back.
 */
export async function openLearnedState<T>({
  config,
  clock,
  telemetry,
  onWarning,
  restore,
}: {
  config: JottyConfig;
  clock: Clock;
  telemetry: Telemetry;
  onWarning: ((warning: string) => void) | undefined;
  restore: (state: JottyState) => Promise<T>;
}): Promise<{ vault: Vault | undefined; releaseWriter: (() => Promise<void>) | undefined; loaded: { run: string; state: JottyState; restored: T } | null }> {
  const persistent = config.learningMode === "persistent";
  const named = config.learningMode === "disabled" ? config.persistence.loadRun : undefined;
  if (!persistent && named === undefined) return { vault: undefined, releaseWriter: undefined, loaded: null };
  const vault = await Vault.fromConfig(config, {
    clock,
    telemetry,
    ...(config.owner.user === undefined ? {} : { auditBy: config.owner.user }),
    ...(onWarning === undefined ? {} : { onWarning }),
  });
  // One learning process a folder at a time (or as persistence.concurrentWriters says).
  const releaseWriter = persistent ? await vault.acquireWriter({ onBusy: config.persistence.concurrentWriters }) : undefined;
  try {
    // A run whose state does not restore is skipped (with a warning) for the one before it.
    if (persistent) {
      const latest = await vault.loadLatest({ restore });
      return { vault, releaseWriter, loaded: latest === null ? null : { run: latest.run, state: latest.state, restored: latest.restored } };
    }
    const run = await vault.load(named as string);
    return { vault, releaseWriter, loaded: { run: run.run, state: run.state, restored: await restore(run.state) } };
  } catch (error) {
    await releaseWriter?.();
    throw error;
  }
}
