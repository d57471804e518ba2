/**
 * QPredictor speed: predictMany for 20 candidate actions of an unseen state (the similarity
 * path) against 1k, 10k and 50k entries, p50 / p95, and update throughput.
 *
 * Usage: npm run bench:q -- [--sizes 1000,10000,50000] [--queries 200] [--out outputs/benchmarks]
 */
import { parseArgs } from "node:util";
import { HashingEmbedder, QPredictor, Rng } from "../src/index.js";
import { printTable, writeResult } from "./report.js";
import { percentile } from "./synthetic.js";

const { values } = parseArgs({
  options: {
    sizes: { type: "string", default: "1000,10000,50000" },
    queries: { type: "string", default: "200" },
    out: { type: "string", default: "outputs/benchmarks" },
  },
});
const sizes = values.sizes.split(",").map(Number);
const queryCount = Number(values.queries);
if (sizes.some((size) => !Number.isInteger(size) || size < 20) || !(queryCount > 0)) {
  process.stderr.write("error: --sizes take integers of at least 20, --queries a positive integer\n");
  process.exit(2);
}

const SUBJECTS = ["refunds", "P2P transfers", "merchant payments", "ATM withdrawals", "bill payments", "failed transactions", "new users", "settled volume"];
const PERIODS = ["yesterday", "last week", "in March", "this month", "on Monday", "over the weekend", "last quarter", "today"];
const SHAPES = ["count", "sum", "average", "top 5 by", "median", "share of", "daily trend of", "weekly total of"];
const COLUMNS = ["dt", "ts", "category_code", "transaction_category", "status", "channel", "amount_cents", "merchant_id"];

function state(rng: Rng, index: number): string {
  return `${rng.choice(SHAPES)} ${rng.choice(SUBJECTS)} ${rng.choice(PERIODS)} for region ${index % 97} segment ${Math.floor(index / 97)}`;
}

function actionPool(rng: Rng, size: number): string[] {
  return Array.from(
    { length: size },
    (_, index) => `filter ${rng.choice(COLUMNS)} then ${rng.choice(SHAPES)} ${rng.choice(COLUMNS)} grouped by ${rng.choice(COLUMNS)} (plan ${index})`,
  );
}

const embedder = new HashingEmbedder();
const rows: Array<Record<string, number>> = [];
const started = performance.now();
for (const size of sizes) {
  const rng = new Rng(size);
  const actions = actionPool(rng, 200);
  const q = new QPredictor({ alpha: 0.3, gamma: 0.9, embedder, settings: { bufferCapacity: 1000 } });
  const perState = 20;
  const states = Array.from({ length: Math.ceil(size / perState) }, (_, index) => state(rng, index));
  let begin = performance.now();
  let updates = 0;
  for (const [index, text] of states.entries()) {
    for (let slot = 0; slot < perState && updates < size; slot += 1) {
      await q.update({
        state: text,
        action: actions[(index * 7 + slot) % actions.length] as string,
        reward: rng.normal(0, 1),
        nextState: null,
        done: true,
      });
      updates += 1;
    }
  }
  const updatesPerSecond = updates / ((performance.now() - begin) / 1000);

  const latencies: number[] = [];
  for (let query = 0; query < queryCount + 10; query += 1) {
    const candidates = Array.from({ length: 20 }, () => rng.choice(actions));
    const unseen = `${rng.choice(SHAPES)} the ${rng.choice(SUBJECTS)} ${rng.choice(PERIODS)}, region ${rng.int(0, 96)}`;
    begin = performance.now();
    const predictions = await q.predictMany({ state: unseen, actions: candidates });
    const elapsed = performance.now() - begin;
    if (query >= 10) latencies.push(elapsed);
    if (predictions.length !== 20) throw new Error("predictMany returned the wrong number of predictions");
  }
  latencies.sort((a, b) => a - b);
  rows.push({
    entries: q.size,
    predictManyP50Ms: Number(percentile(latencies, 0.5).toFixed(2)),
    predictManyP95Ms: Number(percentile(latencies, 0.95).toFixed(2)),
    updatesPerSecond: Math.round(updatesPerSecond),
  });
  process.stdout.write(`measured ${q.size} entries\n`);
}

const header = ["entries", "predictMany(20) p50 ms", "p95 ms", "updates/s"];
const cells = rows.map((row) => [String(row.entries), String(row.predictManyP50Ms), String(row.predictManyP95Ms), String(row.updatesPerSecond)]);
printTable(header, cells);

await writeResult(values.out, "q-predictor", {
  description:
    "QPredictor.predictMany for 20 candidate actions of an unseen state (similarity estimates) against a table of the given size, and update throughput (similarity-initialised, Q-learning target)",
  settings: { sizes, queries: queryCount, actionsPerQuery: 20, entriesPerState: 20, dimensions: embedder.dimensions },
  durationMs: Math.round(performance.now() - started),
  rows,
});
