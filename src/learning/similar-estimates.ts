import type { QPredictorConfig } from "../config/index.js";
import { cosineSimilarity } from "../embeddings/index.js";
import { caseEstimates, textPriors, type NearCase } from "./case-estimate.js";
import type { QEntry } from "./q-entry.js";
import type { QPrediction } from "./q-prediction.js";
import type { QTable } from "./q-table.js";
import { normalizeText } from "./text-key.js";

/** Options of {@link similarEstimates}. */
export interface SimilarEstimatesOptions {
  table: QTable;
  state: string;
  actions: readonly string[];
  settings: Pick<QPredictorConfig, "neighbours" | "minSimilarity" | "estimator" | "textPrior" | "caseTemperature">;
  /** The configured reward range; the case estimator reads values against it (or the table's range). */
  rewardRange: readonly [number, number] | undefined;
  /** Whether a model will be asked for the actions left undefined. */
  modelAsked: boolean;
}

/**
 * Estimates of unseen (state, action) pairs from the most similar known ones: case-based
 * ({@link caseEstimates}) or kernel-weighted, as `settings.estimator` says; undefined for an
 * action where nothing is close enough (or when the table has no embedder).
 */
export async function similarEstimates({ table, state, actions, settings, rewardRange, modelAsked }: SimilarEstimatesOptions): Promise<Array<QPrediction | undefined>> {
  if (!table.searchable) return actions.map(() => undefined);
  const { neighbours, minSimilarity } = settings;
  const stateVector = await table.stateVector(normalizeText(state));
  const nearStates = table.nearStates(stateVector, Math.max(20, neighbours * 2)).filter((match) => match.score >= minSimilarity);
  const candidates: Array<NearCase<QEntry>> = [];
  for (const match of nearStates) {
    for (const entry of table.entriesOf(match.id)) candidates.push({ entry, stateSimilarity: match.score, action: normalizeText(entry.action) });
  }
  if (candidates.length === 0) return actions.map(() => undefined);
  if (settings.estimator === "cases") {
    return casesFor({ table, stateVector, actions, candidates, closest: nearStates[0]?.score ?? 0, settings, rewardRange, modelAsked });
  }
  const results: Array<QPrediction | undefined> = [];
  for (const action of actions) {
    const queryVector = await table.actionVector(action);
    const actionSimilarity = new Map<string, number>();
    const weighted: Array<{ entry: QEntry; weight: number }> = [];
    for (const candidate of candidates) {
      let similarity = actionSimilarity.get(candidate.action);
      if (similarity === undefined) {
        const vector = table.knownActionVector(candidate.action);
        similarity = 0;
        for (let index = 0; index < vector.length; index += 1) similarity += (vector[index] as number) * (queryVector[index] as number);
        actionSimilarity.set(candidate.action, similarity);
      }
      if (similarity < minSimilarity) continue;
      weighted.push({ entry: candidate.entry, weight: candidate.stateSimilarity * similarity });
    }
    weighted.sort((a, b) => b.weight - a.weight);
    const top = weighted.slice(0, neighbours);
    if (top.length === 0) {
      results.push(undefined);
      continue;
    }
    const totalWeight = top.reduce((sum, item) => sum + item.weight, 0);
    const q = top.reduce((sum, item) => sum + item.weight * item.entry.value, 0) / totalWeight;
    const visits = top.reduce((sum, item) => sum + item.entry.visits, 0);
    const confidence = Math.min(0.9, (top[0]?.weight ?? 0) * (1 - Math.exp(-visits / 5)));
    results.push({ action, q, confidence, source: "similar" });
  }
  return results;
}

/** Case-based estimates of the candidates from the near pairs ({@link caseEstimates}), leaning by their text. */
async function casesFor({
  table,
  stateVector,
  actions,
  candidates,
  closest,
  settings,
  rewardRange,
  modelAsked,
}: Omit<SimilarEstimatesOptions, "state"> & { stateVector: Float32Array; candidates: ReadonlyArray<NearCase<QEntry>>; closest: number }): Promise<
  Array<QPrediction | undefined>
> {
  const [low, high] = table.valueRange(rewardRange);
  const similarities =
    settings.textPrior === 0 ? actions.map(() => 0) : await Promise.all(actions.map(async (action) => cosineSimilarity(await table.actionVector(action), stateVector)));
  const estimates = caseEstimates({
    actions,
    normalised: actions.map(normalizeText),
    cases: candidates,
    closest,
    priors: textPriors(similarities, settings.textPrior),
    low,
    high,
    temperature: settings.caseTemperature,
    leaveUnknown: modelAsked,
  });
  return estimates.map((estimate, index) =>
    estimate === undefined
      ? undefined
      : { action: actions[index] as string, q: estimate.q, confidence: estimate.confidence, source: "similar", evidence: estimate.evidence },
  );
}
