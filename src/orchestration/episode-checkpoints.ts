import type { Vault, VaultCheckpointer } from "../persistence/index.js";
import { APPENDED_FIELDS } from "./episode-state.js";

/** Thread ids of the Conductor's training episodes: this and the episode's number. */
const EPISODE_THREAD = "jotty-episode-";

/** The LangGraph thread id of a training episode: stable, so a crashed episode is found again. */
export function episodeThreadId(episode: number): string {
  return `${EPISODE_THREAD}${episode}`;
}

/** The thread id of an evaluation episode (never resumed). */
export function evaluationThreadId(episode: number, task: number): string {
  return `jotty-evaluation-${episode}-${task}`;
}

/** The episode number of a training episode's thread, or undefined for any other thread. */
function episodeOf(thread: string): number | undefined {
  const match = /^jotty-episode-(\d+)$/.exec(thread);
  return match === null ? undefined : Number(match[1]);
}

/**
 * Opens the Vault's checkpointer for the episode graph, taking over the checkpoints of
 * processes that stopped. Their training episodes are returned, in episode order, to be
 * resumed; their evaluation episodes, and episodes of older Jottys (whose thread ids held the
 * clock), are dropped, and `onWarning` is told how many.
 */
export async function openEpisodeCheckpoints({
  vault,
  onWarning,
}: {
  vault: Vault;
  onWarning: ((warning: string) => void) | undefined;
}): Promise<{ checkpointer: VaultCheckpointer; interrupted: string[] }> {
  const checkpointer = await vault.checkpointer({ appendOnly: APPENDED_FIELDS });
  const interrupted = checkpointer.adopted.filter((thread) => episodeOf(thread) !== undefined).sort((a, b) => (episodeOf(a) as number) - (episodeOf(b) as number));
  const dropped = checkpointer.adopted.filter((thread) => (thread.startsWith("jotty-") || /^episode-\d+-\d+$/.test(thread)) && episodeOf(thread) === undefined);
  for (const thread of dropped) await checkpointer.deleteThread(thread);
  if (dropped.length > 0) {
    onWarning?.(`dropped the checkpoints of ${dropped.length} evaluation or older-format episode(s) of a process that stopped; they are not resumed`);
  }
  return { checkpointer, interrupted };
}
