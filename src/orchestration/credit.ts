/**
 * Each actor's share of an episode: `own` × the rewards of its own steps plus `cooperative` ×
 * the team's return divided among the actors that took part.
 */
export function creditActors({
  steps,
  episodeReturn,
  own,
  cooperative,
}: {
  steps: ReadonlyArray<{ actor: string; reward: number }>;
  episodeReturn: number;
  own: number;
  cooperative: number;
}): Record<string, number> {
  const credit: Record<string, number> = {};
  for (const step of steps) credit[step.actor] = (credit[step.actor] ?? 0) + own * step.reward;
  const actors = Object.keys(credit);
  for (const actor of actors) credit[actor] = (credit[actor] ?? 0) + (cooperative * episodeReturn) / actors.length;
  return credit;
}
