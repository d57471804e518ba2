/**
 * One restart, for `memory-scale.ts`: in a fresh process, as a team's next run starts, the
 * milliseconds from starting a PERSISTENT Conductor on a Vault folder until its first episode
 * ends (Jotty's modules already imported). Prints `{ "ms": …, "createMs": … }` (the second:
 * until the Conductor was ready); exits 1 when the restart
 * embedded the memories again instead of loading their vectors.
 *
 * Usage: tsx benchmarks/restart-probe.ts --dir DIR --capacity N
 */
import { parseArgs } from "node:util";
import { Conductor, HashingEmbedder } from "../src/index.js";

const { values } = parseArgs({ options: { dir: { type: "string" }, capacity: { type: "string" } } });
const capacity = Number(values.capacity);
if (values.dir === undefined || !Number.isInteger(capacity) || capacity < 1) {
  process.stderr.write("error: --dir DIR and --capacity N (a positive integer) are needed\n");
  process.exit(2);
}
const begin = performance.now();
const conductor = await Conductor.create({
  config: {
    learningMode: "persistent",
    outputDir: values.dir,
    seed: 1,
    environment: { name: "cliff-walking", options: { maxSteps: 30 } },
    training: { maxStepsPerEpisode: 30, saveEvery: 1000 },
    memory: { capacities: { episodic: capacity, semantic: capacity, procedural: capacity, meta: capacity, causal: capacity } },
  },
  embedder: new HashingEmbedder(),
});
const created = performance.now();
await conductor.run();
const ms = performance.now() - begin;
const restore = conductor.sharedMemory.vectorRestore;
await conductor.close();
if (restore.vectors !== "loaded") {
  process.stderr.write(`the restart embedded again: ${restore.problem ?? ""}\n`);
  process.exit(1);
}
process.stdout.write(`${JSON.stringify({ ms, createMs: created - begin })}\n`);
