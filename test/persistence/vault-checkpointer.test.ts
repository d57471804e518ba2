import os from "node:os";
import path from "node:path";
import { validate } from "@langchain/langgraph-checkpoint-validation";
import { Annotation, StateGraph } from "@langchain/langgraph";
import fs from "fs-extra";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Vault, VaultCheckpointer } from "../../src/index.js";

// The conformance suite calls Jest-style globals; this project keeps vitest's globals off.
Object.assign(globalThis, { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it });

const folders: string[] = [];

// LangGraph's own conformance suite for checkpoint savers.
validate({
  checkpointerName: "VaultCheckpointer",
  async createCheckpointer() {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "jotty-checkpoints-"));
    folders.push(dir);
    return VaultCheckpointer.open({ dir });
  },
  async destroyCheckpointer(checkpointer: VaultCheckpointer) {
    await fs.remove(checkpointer.dir);
  },
});

function graph(calls: { first: number; second: number }, failOnce: { armed: boolean }) {
  const State = Annotation.Root({ steps: Annotation<string[]>({ reducer: (a, b) => a.concat(b), default: () => [] }) });
  return new StateGraph(State)
    .addNode("first", () => {
      calls.first += 1;
      return { steps: ["first"] };
    })
    .addNode("second", () => {
      calls.second += 1;
      if (failOnce.armed) {
        failOnce.armed = false;
        throw new Error("the process died here");
      }
      return { steps: ["second"] };
    })
    .addEdge("__start__", "first")
    .addEdge("first", "second")
    .addEdge("second", "__end__");
}

describe("VaultCheckpointer", () => {
  it("survives a restart: a new process resumes the interrupted episode where it stopped", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "jotty-resume-"));
    try {
      const calls = { first: 0, second: 0 };
      const config = { configurable: { thread_id: "episode-7" } };
      const before = await Vault.open({ dir });
      const crashed = graph(calls, { armed: true }).compile({ checkpointer: await before.checkpointer() });
      await expect(crashed.invoke({ steps: [] }, config)).rejects.toThrow("the process died here");
      // A new process: a new Vault, which finds the thread in the earlier run's checkpoints.
      const after = await Vault.open({ dir });
      const resumed = graph(calls, { armed: false }).compile({ checkpointer: await after.checkpointer() });
      const result = await resumed.invoke(null, config);
      expect(result.steps).toEqual(["first", "second"]);
      expect(calls).toEqual({ first: 1, second: 2 });
      // The state saved next completes the run folder the checkpoints were written in.
      const run = await after.save({ schemaVersion: 1, summary: { episodes: 1 } });
      const files = await fs.readdir(path.join(dir, run));
      expect(files).toEqual(expect.arrayContaining(["checkpoints", "jotty_state", "run_summary.json"]));
    } finally {
      await fs.remove(dir);
      for (const folder of folders) await fs.remove(folder);
    }
  });
});
