import path from "node:path";
import fs from "fs-extra";
import { parseConfig, type JottyConfig } from "../config/index.js";
import { createEmbedder } from "../embeddings/index.js";
import { createEnvironment } from "../environments/index.js";
import { nearestNeighbourReference } from "../evaluation/index.js";
import { meanAndInterval } from "../reporting/index.js";
import { episodeSpecs, trainRun, type RunReport } from "../evaluation/index.js";

/** The arms compared: the three learning modes and a learner without similarity. */
export const ARMS = ["persistent", "contextual", "disabled", "tabular"] as const;
export type Arm = (typeof ARMS)[number];

/** One arm's config: its learning mode; `tabular` learns persistently with exact-match values only. */
export function armConfig(base: JottyConfig, arm: Arm, overrides: Record<string, unknown>): JottyConfig {
  const mode = arm === "tabular" ? "persistent" : arm;
  return parseConfig({
    ...base,
    ...overrides,
    learningMode: mode,
    ...(arm === "tabular" ? { qPredictor: { ...base.qPredictor, similarity: false } } : {}),
  });
}

/** What one arm reached in one run, over the seeds. */
export interface ArmRun {
  run: number;
  heldOutAtStart: number;
  heldOut: number;
  /** Half-width of the 95% interval of `heldOut` over seeds (Student's t). */
  interval95: number;
}

/** One arm's results. */
export interface ArmSummary {
  mode: Arm;
  runs: ArmRun[];
  /** Training episodes (all runs counted) until held-out success first reached the target, per seed; null where it never did. */
  episodesToTarget: Array<number | null>;
}

/** What `jotty benchmark modes` found. */
export interface ModesBenchmarkResult {
  runs: number;
  episodes: number;
  seeds: number;
  heldOutTasks: number;
  target: number;
  modes: ArmSummary[];
  /** A 1-nearest-neighbour classifier given every training label on the same embedder; null when the environment has no answer key. */
  reference: { successRate: number; labelled: number } | null;
  /** PERSISTENT minus DISABLED held-out success at the end of each run, paired by seed. */
  gain: Array<{ run: number; mean: number; interval95: number }>;
  /** Per arm and seed: held-out success by training episode, runs back to back. */
  heldOutCurves: Record<Arm, Array<Array<{ episode: number; successRate: number }>>>;
  /** Per arm and seed: training success (1 or 0) of each episode, runs back to back. */
  trainingCurves: Record<Arm, number[][]>;
}

/** The first episode (all runs counted) at which the curve reaches the target, or null. */
export function episodesToReach(curve: ReadonlyArray<{ episode: number; successRate: number }>, target: number): number | null {
  return curve.find((point) => point.successRate >= target)?.episode ?? null;
}

/**
 * Trains each arm on the same tasks and seeds, `runs` runs of `episodes` each, evaluating the
 * held-out split every `evaluateEvery` episodes, and measures the supervised reference.
 */
export async function runModesBenchmark({
  base,
  runs,
  episodes,
  seeds,
  heldOut,
  evaluateEvery,
  target = 0.8,
  output,
  onSeed,
}: {
  base: JottyConfig;
  runs: number;
  episodes: number;
  seeds: number;
  heldOut: number;
  evaluateEvery: number;
  target?: number;
  /** Where each arm's learned state goes (removed first). */
  output: string;
  onSeed?: (arm: Arm, seed: number, reports: RunReport[]) => void;
}): Promise<ModesBenchmarkResult> {
  const reports = Object.fromEntries(ARMS.map((arm) => [arm, [] as RunReport[][]])) as Record<Arm, RunReport[][]>;
  for (const arm of ARMS) {
    for (let seedIndex = 0; seedIndex < seeds; seedIndex += 1) {
      const folder = path.join(output, "modes", `${arm}-seed${seedIndex}`);
      await fs.remove(folder);
      const config = armConfig(base, arm, { seed: base.seed + seedIndex * 1000, outputDir: folder });
      const perRun: RunReport[] = [];
      for (let run = 1; run <= runs; run += 1) {
        perRun.push(await trainRun({ config, run, episodes, heldOutLimit: heldOut, measureStart: true, evaluateEvery }));
      }
      reports[arm].push(perRun);
      onSeed?.(arm, seedIndex, perRun);
    }
  }
  const heldOutCurves = Object.fromEntries(
    ARMS.map((arm) => [
      arm,
      reports[arm].map((perRun) =>
        perRun.flatMap((report, index) => [
          // The start of each run: what it loaded (the first run's start is episode 0).
          { episode: index * episodes, successRate: report.heldOutAtStart ?? 0 },
          ...(report.heldOutCurve ?? []).map((point) => ({ episode: index * episodes + point.episode, successRate: point.successRate })),
        ]),
      ),
    ]),
  ) as ModesBenchmarkResult["heldOutCurves"];
  const modes = ARMS.map((arm): ArmSummary => ({
    mode: arm,
    runs: Array.from({ length: runs }, (_, run) => {
      const end = meanAndInterval(reports[arm].map((perRun) => (perRun[run] as RunReport).heldOutSuccessRate));
      const start = meanAndInterval(reports[arm].map((perRun) => (perRun[run] as RunReport).heldOutAtStart ?? 0));
      return { run: run + 1, heldOutAtStart: start.mean, heldOut: end.mean, interval95: end.halfWidth };
    }),
    episodesToTarget: heldOutCurves[arm].map((curve) => episodesToReach(curve, target)),
  }));
  const gain = Array.from({ length: runs }, (_, run) => {
    const differences = reports.persistent.map((perRun, seed) => (perRun[run] as RunReport).heldOutSuccessRate - ((reports.disabled[seed] as RunReport[])[run] as RunReport).heldOutSuccessRate);
    const { mean, halfWidth } = meanAndInterval(differences);
    return { run: run + 1, mean, interval95: halfWidth };
  });
  return {
    runs,
    episodes,
    seeds,
    heldOutTasks: heldOut,
    target,
    modes,
    reference: await reference(base, heldOut),
    gain,
    heldOutCurves,
    trainingCurves: Object.fromEntries(ARMS.map((arm) => [arm, reports[arm].map((perRun) => perRun.flatMap((report) => report.curve))])) as Record<Arm, number[][]>,
  };
}

/** The supervised 1-NN reference on the held-out tasks the arms are evaluated on; null without an answer key. */
async function reference(base: JottyConfig, heldOut: number): Promise<ModesBenchmarkResult["reference"]> {
  const environment = createEnvironment(base.environment.name, base.environment.options);
  try {
    const specs = episodeSpecs(environment, heldOut);
    if (typeof environment.goldAction !== "function" || specs.train === undefined) return null;
    const result = await nearestNeighbourReference({
      environment,
      train: specs.train.map((spec) => spec.task),
      heldOut: specs.heldOut.map((spec) => spec.task),
      embedder: createEmbedder(base.embeddings),
      seed: base.seed,
    });
    return { successRate: result.successRate, labelled: result.labelled };
  } finally {
    await environment.close?.();
  }
}
