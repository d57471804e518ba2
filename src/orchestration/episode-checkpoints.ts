import type { Vault, VaultCheckpointer } from "../persistence/index.js";

/** Thread ids of the Conductor's episodes start with this (older Jottys wrote `episode-<n>-<time>`). */
const EPISODE_THREAD = "jotty-episode-";

/** The LangGraph thread id of an episode. */
export function episodeThreadId(episode: number, now: number): string {
  return `${EPISODE_THREAD}${episode}-${now}`;
}

/**
 * Opens the Vault's checkpointer for the episode graph. Checkpoints of episodes a process left
 * unfinished are dropped, since episodes are not resumed; `onWarning` is told how many.
 */
export async function openEpisodeCheckpoints({ vault, onWarning }: { vault: Vault; onWarning: ((warning: string) => void) | undefined }): Promise<VaultCheckpointer> {
  const checkpointer = await vault.checkpointer();
  const unfinished = checkpointer.adopted.filter((thread) => thread.startsWith(EPISODE_THREAD) || /^episode-\d+-\d+$/.test(thread));
  for (const thread of unfinished) await checkpointer.deleteThread(thread);
  if (unfinished.length > 0) {
    onWarning?.(`dropped the checkpoints of ${unfinished.length} unfinished episode(s) of a process that stopped; episodes are not resumed, what they learned before their last save is kept`);
  }
  return checkpointer;
}
