// A process that runs the two-step graph with the Vault's checkpointer and dies (SIGKILL) in the
// second node, leaving its checkpoints behind. Usage: checkpoint-crasher <dir> <thread> [passphrase]
import { Vault } from "../../src/index.js";
import { twoStepGraph } from "./two-step-graph.js";

const [dir, thread, passphrase] = process.argv.slice(2);
const vault = await Vault.open({ dir: dir as string, ...(passphrase === undefined ? {} : { encryptionKey: passphrase }) });
const graph = twoStepGraph({ first: 0, second: 0 }, () => process.kill(process.pid, "SIGKILL")).compile({ checkpointer: await vault.checkpointer() });
// "sync": each checkpoint is on disk before the next step runs, so a kill loses no finished step.
await graph.invoke({ steps: [] }, { configurable: { thread_id: thread as string }, durability: "sync" });
