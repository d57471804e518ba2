import type { EmbeddingsInterface } from "@langchain/core/embeddings";
import { cosineSimilarity } from "../embeddings/index.js";
import type { Environment } from "../environments/index.js";
import { JottyError } from "../errors/index.js";
import { Rng } from "../util/index.js";

/** What the supervised reference scored on the held-out tasks. */
export interface NearestNeighbourResult {
  successes: number;
  trials: number;
  successRate: number;
  /** Labelled decisions it learned from: every step of every training task on the answer key's path. */
  labelled: number;
}

function answerKey(environment: Environment): () => string | undefined {
  if (typeof environment.goldAction !== "function") {
    throw new JottyError({
      code: "invalid_argument",
      message: `The ${environment.name} environment has no answer key (goldAction), so there is no supervised reference for it; give it one or leave the reference out.`,
    });
  }
  return () => environment.goldAction?.();
}

/**
 * The ceiling of what an embedding supports: a 1-nearest-neighbour classifier given every
 * training label. It walks each training task along the environment's answer key, keeping each
 * (observation, right action); on a held-out task it takes, at every step, the labelled action
 * of the most similar training observation among the current candidates.
 *
 * @throws JottyError `invalid_argument` when the environment has no answer key or a training
 *   step has no right action.
 */
export async function nearestNeighbourReference({
  environment,
  train,
  heldOut,
  embedder,
  seed = 0,
}: {
  environment: Environment;
  train: readonly unknown[];
  heldOut: readonly unknown[];
  embedder: Pick<EmbeddingsInterface, "embedDocuments">;
  seed?: number;
}): Promise<NearestNeighbourResult> {
  const gold = answerKey(environment);
  const rng = new Rng(seed);
  const observations: string[] = [];
  const labels: string[] = [];
  for (const task of train) {
    let state = await environment.reset(rng, { task });
    for (let steps = 0; steps < 100; steps += 1) {
      const action = gold();
      if (action === undefined) throw new JottyError({ code: "invalid_argument", message: `The ${environment.name} answer key has no action for "${state.observation}".` });
      observations.push(state.observation);
      labels.push(action);
      const next = await environment.step(action);
      if (next.done) break;
      state = next;
    }
  }
  const vectors = (await embedder.embedDocuments(observations)).map((vector) => Float32Array.from(vector));
  let successes = 0;
  for (const task of heldOut) {
    let state = await environment.reset(rng, { task });
    for (let steps = 0; steps < 100; steps += 1) {
      const [query] = await embedder.embedDocuments([state.observation]);
      const asked = Float32Array.from(query ?? []);
      let best = -Infinity;
      let action = state.actions[0] ?? "";
      vectors.forEach((vector, index) => {
        const label = labels[index] as string;
        if (!state.actions.includes(label)) return;
        const similarity = cosineSimilarity(asked, vector);
        if (similarity > best) {
          best = similarity;
          action = label;
        }
      });
      const next = await environment.step(action);
      if (next.done) {
        if (next.info?.success === true) successes += 1;
        break;
      }
      state = next;
    }
  }
  return { successes, trials: heldOut.length, successRate: heldOut.length === 0 ? 0 : successes / heldOut.length, labelled: labels.length };
}
