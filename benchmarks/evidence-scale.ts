/**
 * What recording an episode in the decision evidence costs as the history grows: the
 * evidence as it is (what it derives kept up to date, see EvidenceLedger) against deriving
 * the same view from the whole history at every record (attributeOutcomes and the derive…
 * functions, as the evidence did before). Synthetic episodes of a team walking a grid: 48
 * decision points of four options, about a third of them decided an episode, the right option
 * ever more often, an episode succeeding when all its decisions were right.
 *
 * Usage: npm run bench:evidence -- [--sizes 500,1000,2000,5000] [--records 200] [--out outputs/benchmarks]
 */
import { parseArgs } from "node:util";
import { attributeOutcomes, decisionPointOf, deriveCauses, deriveMeta, deriveProcedures, DecisionEvidence, lessonsOfPoint, type DecisionPoint } from "../src/knowledge/index.js";
import { Rng } from "../src/util/index.js";
import { printTable, writeResult } from "./report.js";

const { values } = parseArgs({
  options: {
    sizes: { type: "string", default: "500,1000,2000,5000" },
    records: { type: "string", default: "200" },
    out: { type: "string", default: "outputs/benchmarks" },
  },
});
const sizes = values.sizes.split(",").map(Number);
const records = Number(values.records);
if (sizes.some((size) => !Number.isInteger(size) || size < 1) || !Number.isInteger(records) || records < 1) {
  process.stderr.write("error: --sizes and --records take positive whole numbers\n");
  process.exit(2);
}

const POINTS: DecisionPoint[] = Array.from(
  { length: 48 },
  (_, index) => decisionPointOf({ observation: `At cell ${index}.`, actions: ["up", "down", "left", "right"], info: { decision: `cell ${index % 12}`, situation: `at cell ${index}` } }) as DecisionPoint,
);

function record(evidence: DecisionEvidence, rng: Rng, episode: number): void {
  const decisions = POINTS.filter(() => rng.next() < 0.35).map((point) => ({
    point,
    chosen: rng.next() < Math.min(0.95, 0.3 + episode / 1000) ? "right" : (["up", "down", "left"][rng.int(0, 2)] as string),
  }));
  const success = decisions.every((decision) => decision.chosen === "right") ? rng.next() < 0.9 : rng.next() < 0.05;
  evidence.record({ episode, taskType: "walk", success, return: success ? 1 : -1, outcome: success ? "Reached the goal." : "Fell off the cliff.", decisions });
}

/** The evidence's whole view, derived from its history at once. */
function fromScratch({ episodes, points: list }: ReturnType<DecisionEvidence["snapshot"]>): number {
  const points = new Map(list.map((point) => [point.key, point]));
  const attribution = attributeOutcomes(episodes);
  const lessons = [...points.values()].flatMap((point) => lessonsOfPoint(point, attribution.options.get(point.key) ?? new Map()));
  return lessons.length + deriveProcedures(episodes, points).length + deriveCauses(episodes, attribution, points).length + deriveMeta(attribution, points).length;
}

const rows: Array<Record<string, number>> = [];
const started = performance.now();
for (const size of sizes) {
  const evidence = new DecisionEvidence({ maxEpisodes: size + records });
  const rng = new Rng(size);
  for (let episode = 0; episode < size; episode += 1) record(evidence, rng, episode);
  let begin = performance.now();
  for (let episode = size; episode < size + records; episode += 1) {
    record(evidence, rng, episode);
    evidence.knowledge();
  }
  const kept = (performance.now() - begin) / records;
  // The from-scratch view at the same size (a few records: each costs the whole history).
  const scratchRecords = Math.max(3, Math.min(records, Math.round(20_000 / size)));
  const history = evidence.snapshot();
  begin = performance.now();
  for (let index = 0; index < scratchRecords; index += 1) fromScratch(history);
  const scratch = (performance.now() - begin) / scratchRecords;
  rows.push({ episodes: size, keptMsPerRecord: Number(kept.toFixed(3)), fromScratchMs: Number(scratch.toFixed(3)), speedUp: Number((scratch / kept).toFixed(1)) });
  process.stdout.write(`measured ${size} episodes\n`);
}
printTable(
  ["episodes in the evidence", "record + view ms (kept up to date)", "view from the whole history ms", "speed-up"],
  rows.map((row) => [String(row.episodes), String(row.keptMsPerRecord), String(row.fromScratchMs), `${row.speedUp}×`]),
);
await writeResult(values.out, "evidence-scale", {
  description:
    "Milliseconds to record one episode in the decision evidence and read its knowledge view, with the view kept up to date episode by episode, against deriving the same view from the whole history (as every record did before), at each history size; synthetic grid-walking episodes",
  settings: { sizes, records, points: POINTS.length },
  durationMs: Math.round(performance.now() - started),
  rows,
});
