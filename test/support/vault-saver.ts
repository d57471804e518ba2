// A separate process that saves states in a loop, for the crash and concurrency tests.
// Usage: vault-saver <dir> <first generation> <count> <entries>
import { Vault } from "../../src/index.js";
import { bigState } from "./big-state.js";

const [dir, first, count, entries] = process.argv.slice(2);
const vault = await Vault.open({ dir: dir as string, keepRuns: 1000, lock: { wait: true, timeoutMs: 60_000 } });
process.stdout.write("ready\n");
for (let generation = Number(first); generation < Number(first) + Number(count); generation += 1) {
  await vault.save(bigState(generation, Number(entries)));
  process.stdout.write(`saved ${generation}\n`);
}
