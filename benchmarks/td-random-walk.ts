/**
 * Reproduces Sutton & Barto's random-walk figures for TD(λ) (Fig. 12.6, accumulating traces)
 * and true online TD(λ) (Fig. 12.8): RMS error against α for each λ on the 19-state walk,
 * averaged over the first 10 episodes and 100 runs.
 *
 * Usage: npm run bench:td -- [--runs 100] [--episodes 10] [--out outputs/benchmarks]
 */
import path from "node:path";
import { parseArgs } from "node:util";
import fs from "fs-extra";
import type { TraceKind } from "../src/index.js";
import { randomWalkRmsError } from "./random-walk-rms.js";
import { svgLineChart } from "../src/reporting/index.js";

const LAMBDAS = [0, 0.4, 0.8, 0.9, 0.95, 0.975, 0.99, 1];
const ALPHAS = Array.from({ length: 20 }, (_, index) => Number(((index + 1) * 0.05).toFixed(2)));
const METHODS: TraceKind[] = ["accumulating", "true-online"];

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "100" },
    episodes: { type: "string", default: "10" },
    out: { type: "string", default: "outputs/benchmarks" },
  },
});
const runs = Number(values.runs);
const episodes = Number(values.episodes);
if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(episodes) || episodes < 1) {
  process.stderr.write("error: --runs and --episodes must be positive integers\n");
  process.exit(2);
}

interface Point {
  method: TraceKind;
  lambda: number;
  alpha: number;
  rms: number | null;
}

function cell(rms: number): string {
  if (!Number.isFinite(rms)) return "  inf";
  if (rms >= 10) return "  >10";
  return rms.toFixed(3).padStart(5);
}

const started = performance.now();
const points: Point[] = [];
for (const method of METHODS) {
  process.stdout.write(`\n${method} TD(λ): RMS error over 19 states, first ${episodes} episodes, ${runs} runs\n`);
  process.stdout.write(`${"λ \\ α".padEnd(7)}${ALPHAS.map((alpha) => alpha.toFixed(2).padStart(5)).join(" ")}   best α → RMS\n`);
  for (const lambda of LAMBDAS) {
    const row = ALPHAS.map((alpha) => randomWalkRmsError({ method, lambda, alpha, runs, episodes }));
    row.forEach((rms, index) =>
      points.push({ method, lambda, alpha: ALPHAS[index] as number, rms: Number.isFinite(rms) ? rms : null }),
    );
    const bestIndex = row.reduce((best, rms, index) => (rms < (row[best] ?? Infinity) ? index : best), 0);
    process.stdout.write(
      `${String(lambda).padEnd(7)}${row.map(cell).join(" ")}   ${ALPHAS[bestIndex]?.toFixed(2)} → ${row[bestIndex]?.toFixed(3)}\n`,
    );
  }
}
const durationMs = performance.now() - started;

const best = METHODS.flatMap((method) =>
  LAMBDAS.map((lambda) => {
    const candidates = points.filter((point) => point.method === method && point.lambda === lambda && point.rms !== null);
    const top = candidates.reduce<Point | undefined>((a, b) => (a === undefined || (b.rms ?? Infinity) < (a.rms ?? Infinity) ? b : a), undefined);
    return { method, lambda, alpha: top?.alpha ?? null, rms: top?.rms ?? null };
  }),
);

const outDir = values.out;
await fs.ensureDir(outDir);
const jsonFile = path.join(outDir, "td-random-walk.json");
const svgFile = path.join(outDir, "td-random-walk.svg");
await fs.writeJson(
  jsonFile,
  {
    benchmark: "td-random-walk",
    description: "RMS error of TD(λ) value estimates on the 19-state random walk against α, per λ (Sutton & Barto Fig. 12.6 and 12.8)",
    settings: { states: 19, gamma: 1, initialValue: 0, runs, episodes, lambdas: LAMBDAS, alphas: ALPHAS, methods: METHODS },
    environment: { node: process.version, platform: process.platform, arch: process.arch },
    durationMs: Math.round(durationMs),
    best,
    points,
  },
  { spaces: 2 },
);
await fs.writeFile(
  svgFile,
  svgLineChart({
    title: `TD(λ) on the 19-state random walk (first ${episodes} episodes, ${runs} runs)`,
    xRange: [0, 1],
    yRange: [0.25, 0.55],
    panels: METHODS.map((method) => ({
      title: method === "accumulating" ? "TD(λ), accumulating traces" : "true online TD(λ)",
      xLabel: "α",
      yLabel: "RMS error over first episodes",
      series: LAMBDAS.map((lambda) => ({
        label: `λ = ${lambda}`,
        points: points
          .filter((point) => point.method === method && point.lambda === lambda)
          .map((point) => ({ x: point.alpha, y: point.rms ?? Infinity })),
      })),
    })),
  }),
);
process.stdout.write(`\n${points.length} settings in ${(durationMs / 1000).toFixed(1)} s; wrote ${jsonFile} and ${svgFile}\n`);
