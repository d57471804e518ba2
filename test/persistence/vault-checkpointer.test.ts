import os from "node:os";
import path from "node:path";
import { Annotation, END, START, StateGraph } from "@langchain/langgraph";
import { validate } from "@langchain/langgraph-checkpoint-validation";
import { spawn } from "node:child_process";
import fs from "fs-extra";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Vault, VaultCheckpointer } from "../../src/index.js";
import { twoStepGraph } from "../support/two-step-graph.js";

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
    await checkpointer.close();
    await fs.remove(checkpointer.dir);
  },
});

const CRASHER = path.resolve("test/support/checkpoint-crasher.ts");

/** Runs the crasher in a child process; resolves once the child has died in the graph's second node. */
async function crashIn(dir: string, thread: string, passphrase?: string): Promise<void> {
  const child = spawn(process.execPath, ["--import", "tsx", CRASHER, dir, thread, ...(passphrase === undefined ? [] : [passphrase])], { stdio: ["ignore", "ignore", "pipe"] });
  let errors = "";
  child.stderr?.on("data", (chunk: Buffer) => (errors += chunk.toString()));
  const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on("exit", (_code, killed) => resolve(killed)));
  if (signal !== "SIGKILL") throw new Error(`the crasher did not die in its graph: ${errors}`);
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)));
}

describe("VaultCheckpointer", () => {
  it("survives a crash: a new process takes over the dead one's checkpoints and resumes the episode where it stopped", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "jotty-resume-"));
    try {
      await crashIn(dir, "episode-7");
      const calls = { first: 0, second: 0 };
      const vault = await Vault.open({ dir });
      const checkpointer = await vault.checkpointer();
      expect(checkpointer.adopted).toEqual(["episode-7"]);
      const result = await twoStepGraph(calls).compile({ checkpointer }).invoke(null, { configurable: { thread_id: "episode-7" } });
      expect(result.steps).toEqual(["first", "second"]);
      expect(calls).toEqual({ first: 0, second: 1 }); // the first node is not run again
      // Checkpoints live in this process's own folder, never in a run folder.
      const run = await vault.save({ schemaVersion: 1, summary: { episodes: 1 } });
      expect((await filesUnder(path.join(dir, run))).some((file) => file.includes("checkpoint"))).toBe(false);
      const folders = await fs.readdir(path.join(dir, "checkpoints"));
      expect(folders).toEqual([path.basename(checkpointer.dir)]);
      await checkpointer.deleteThread("episode-7");
      await checkpointer.close();
      expect(await fs.readdir(path.join(dir, "checkpoints"))).toEqual([]);
    } finally {
      await fs.remove(dir);
      for (const folder of folders) await fs.remove(folder);
    }
  });

  it("leaves a live process's checkpoints alone", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "jotty-live-"));
    try {
      const first = await (await Vault.open({ dir })).checkpointer();
      await twoStepGraph({ first: 0, second: 0 }).compile({ checkpointer: first }).invoke({ steps: [] }, { configurable: { thread_id: "mine" } });
      const second = await (await Vault.open({ dir })).checkpointer();
      expect(second.adopted).toEqual([]);
      expect(await fs.readdir(first.dir)).toContain("mine.jsonl");
    } finally {
      await fs.remove(dir);
    }
  });

  it("encrypts every line and hides thread names in an encrypted folder, and still resumes", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "jotty-sealed-"));
    const passphrase = "a long enough passphrase";
    try {
      await crashIn(dir, "question: revenue by merchant last week", passphrase);
      for (const file of await filesUnder(dir)) {
        const text = await fs.readFile(path.join(dir, file), "utf8");
        expect(`${file}\n${text}`).not.toMatch(/revenue|first|steps/);
      }
      const checkpointer = await (await Vault.open({ dir, encryptionKey: passphrase })).checkpointer();
      expect(checkpointer.adopted).toEqual(["question: revenue by merchant last week"]);
      const result = await twoStepGraph({ first: 0, second: 0 }).compile({ checkpointer }).invoke(null, { configurable: { thread_id: "question: revenue by merchant last week" } });
      expect(result.steps).toEqual(["first", "second"]);
      // Without the key, nothing is read.
      const blind = await VaultCheckpointer.open({ dir: checkpointer.dir });
      expect(blind.threads()).toEqual([]);
      expect(blind.skippedLines).toBeGreaterThan(0);
    } finally {
      await fs.remove(dir);
    }
  });
});

describe("VaultCheckpointer with append-only channels", () => {
  const State = Annotation.Root({
    log: Annotation<Array<{ step: number; text: string }>>({ reducer: (a, b) => a.concat(b), default: () => [] }),
    // Named append-only too, but replaced with a changed first item every third step: stored whole then.
    recent: Annotation<string[]>,
    step: Annotation<number>,
  });
  const STEPS = 24;
  const graph = new StateGraph(State)
    .addNode("tick", (state: typeof State.State) => ({
      log: [{ step: state.step, text: `step ${state.step}: ${"x".repeat(200)}` }],
      recent: state.step % 3 === 2 ? [`replaced at ${state.step}`, ...state.recent.slice(1)] : [...state.recent, `seen ${state.step}`],
      step: state.step + 1,
    }))
    .addEdge(START, "tick")
    .addConditionalEdges("tick", (state: typeof State.State) => (state.step >= STEPS ? END : "tick"), ["tick", END]);

  async function run(appendOnly: string[]): Promise<{ dir: string; history: unknown[]; bytes: number }> {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "jotty-appended-"));
    folders.push(dir);
    const saver = await VaultCheckpointer.open({ dir, appendOnly });
    const compiled = graph.compile({ checkpointer: saver });
    const config = { configurable: { thread_id: "t" }, durability: "sync" as const, recursionLimit: 100 };
    await compiled.invoke({ step: 0, recent: [] }, config);
    const history: unknown[] = [];
    for await (const snapshot of compiled.getStateHistory(config)) history.push(snapshot.values);
    const bytes = (await fs.stat(path.join(dir, "t.jsonl"))).size;
    await saver.close();
    return { dir, history, bytes };
  }

  it("stores what a step adds to a list, reads every checkpoint back whole, also in the next process", async () => {
    const whole = await run([]);
    const appended = await run(["log", "recent"]);
    expect(whole.history).toHaveLength(STEPS + 2);
    expect(appended.history).toEqual(whole.history);
    // The log's items are written once each instead of once a step after them.
    expect(appended.bytes).toBeLessThan(whole.bytes / 2);
    // A new process takes the folder over and rebuilds the lists from the appended items.
    const next = await VaultCheckpointer.open({ dir: path.join(appended.dir, "next"), adopt: [appended.dir], appendOnly: ["log", "recent"] });
    const state = await graph.compile({ checkpointer: next }).getState({ configurable: { thread_id: "t" } });
    expect(state.values).toEqual(whole.history[0]);
    await next.close();
  });
});
