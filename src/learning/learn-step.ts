import type { PrioritizedExperienceBuffer } from "./experience-buffer.js";
import type { EpisodeProgress } from "./episode-progress.js";
import { lessonFor, type Lesson } from "./lessons.js";
import { epsilonAt } from "./math/index.js";
import { oneStepTarget } from "./one-step-target.js";
import { newQEntry, recordStep } from "./q-entry.js";
import type { QPredictorSettings } from "./q-predictor-options.js";
import type { QTable } from "./q-table.js";
import { validateQUpdateInput, type QUpdateInput } from "./q-update-input.js";
import type { QValueEstimator } from "./q-value-estimator.js";
import { replayExperience, type ReplayExperience } from "./replay-experience.js";
import { normalizeText, pairKey } from "./text-key.js";
import { clampToRange, normalizeToRange } from "./value-range.js";

/** What one update did. */
export interface QUpdateResult {
  previous: number;
  q: number;
  target: number;
  tdError: number;
  lesson?: Lesson;
}

/** The parts of a Q-predictor a learning step reads and changes. */
export interface LearnStepParts {
  settings: QPredictorSettings;
  table: QTable;
  /** Values the pairs the step bootstraps from (without the model). */
  estimator: QValueEstimator;
  buffer: PrioritizedExperienceBuffer<ReplayExperience>;
  progress: EpisodeProgress;
}

/** One step of {@link learnStep}. */
export interface LearnStepInput {
  input: QUpdateInput;
  /** Importance weight of the step (a replayed experience's). */
  weight: number;
  /** Whether the step is a new experience: a visit, into the replay buffer and the episode's steps (not a replay). */
  record: boolean;
  /** The target to learn towards instead of the one-step target (the return that followed, Monte-Carlo). */
  fixedTarget?: number;
}

/**
 * Moves the value of a transition's pair towards its target by the step size (α, or 1/visits
 * under `stepSize: "average"` while that is larger), creating the entry when the pair is new
 * (from its estimate), and records the TD error and the lesson it teaches. A new experience
 * also goes into the replay buffer and the episode's steps.
 *
 * @throws JottyError `invalid_reward` or `invalid_argument` ({@link validateQUpdateInput}); nothing changes then.
 */
export async function learnStep(
  { settings, table, estimator, buffer, progress }: LearnStepParts,
  { input: raw, weight, record, fixedTarget }: LearnStepInput,
): Promise<QUpdateResult> {
  validateQUpdateInput(raw, settings.method);
  // −0 would not survive JSON; adding 0 turns it into 0 and leaves every other number alone.
  const input = { ...raw, reward: raw.reward + 0 };
  const key = pairKey(input.state, input.action);
  const existing = table.get(key);
  const previous = existing?.value ?? (await estimator.offlineValues(input.state, [input.action]))[0] ?? settings.initialValue;
  const target =
    fixedTarget ??
    (await oneStepTarget({
      input,
      method: settings.method,
      gamma: settings.gamma,
      initialValue: settings.initialValue,
      epsilon: epsilonAt(settings.epsilon, progress.episode),
      valuesOf: (state, actions) => estimator.offlineValues(state, actions),
      knownActions: (state) => table.entriesOf(normalizeText(state)).map((entry) => entry.action),
    }));
  const tdError = target - previous;
  // "average" makes each value the mean of what it has seen (1/n, as Monte-Carlo control does) until
  // 1/n falls to α; from then on α, so returns from when the rest of the policy was worse fade out.
  const alpha = raw.alpha ?? settings.alpha;
  // A replayed experience is not a new visit: it moves the value by α, and the counts stay.
  const stepSize = settings.settings.stepSize === "average" && record ? Math.max(alpha, 1 / ((existing?.visits ?? 0) + 1)) : alpha;
  const q = clampToRange(previous + stepSize * weight * tdError, settings.rewardRange);
  const episode = progress.episode;
  const entry = existing ?? newQEntry({ state: input.state, action: input.action, value: previous, episode, owner: raw.owner });
  // Under Monte-Carlo credit what a step earned is the return that followed it, not its own reward.
  const earned = fixedTarget ?? input.reward;
  const lesson = lessonFor({ state: input.state, action: input.action, reward: earned, normalizedReward: normalizeToRange(earned, settings.rewardRange), tdError });
  const visit = record || existing === undefined;
  const kept = recordStep(entry, { value: q, reward: input.reward, tdError, visit, episode, lesson, lessonsPerEntry: settings.settings.lessonsPerEntry });
  if (existing === undefined) await table.add(entry);
  table.changed(existing === undefined ? "create" : "update", key, entry, previous);
  if (record) {
    buffer.add(replayExperience(input, fixedTarget), tdError);
    progress.record(previous, input.reward);
  }
  return { previous, q, target, tdError, ...(kept === undefined ? {} : { lesson: { ...kept } }) };
}
