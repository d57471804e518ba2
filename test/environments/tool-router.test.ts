import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { trainRun } from "../../src/evaluation/index.js";
import { parseConfig } from "../../src/config/index.js";
import { createEnvironment, JottyError, Rng, ToolRouter } from "../../src/index.js";

const CONFIG = JSON.parse(readFileSync(path.join(import.meta.dirname, "../../configs/tool-router.json"), "utf8")) as Record<string, unknown>;

describe("the tool-router environment", () => {
  it("asks in training wordings and in held-out wordings it never trains on, one request per tool and filler", () => {
    const router = new ToolRouter();
    const train = router.tasks("train");
    const heldOut = router.tasks("heldOut");
    expect(train).toHaveLength(12 * 3 * 4);
    expect(heldOut).toHaveLength(12 * 2 * 4);
    const trained = new Set(train.map((task) => task.question));
    for (const task of heldOut) expect(trained.has(task.question)).toBe(false);
    // Every tool is asked for in both splits, and the task type does not give it away.
    expect(new Set(heldOut.map((task) => task.tool))).toEqual(new Set(router.tools()));
    expect(new Set([...train, ...heldOut].map((task) => task.template))).toEqual(new Set(["tool-request"]));
  });

  it("pays 1 for the tool that handles the request and 0 for any other, in one step", () => {
    const router = createEnvironment("tool-router");
    const task = { question: "Convert 100 euros to yen.", tool: "currency" };
    const start = router.reset(new Rng(1), { task }) as { observation: string; actions: string[] };
    expect(start.observation).toContain("Convert 100 euros to yen.");
    expect(start.actions).toHaveLength(12);
    const right = start.actions.find((action) => action.startsWith("currency:")) as string;
    expect(router.step(right)).toMatchObject({ reward: 1, done: true, info: { success: true } });
    router.reset(new Rng(1), { task });
    const wrong = start.actions.find((action) => action.startsWith("calculator:")) as string;
    expect(router.step(wrong)).toMatchObject({ reward: 0, done: true, info: { success: false, chosen: "calculator" } });
  });

  it("refuses a task of the wrong shape or an unknown tool, and bad options, with a JottyError", () => {
    const router = new ToolRouter();
    expect(() => router.reset(new Rng(1), { task: { question: "hi", tool: "teleporter" } })).toThrow(JottyError);
    expect(() => router.reset(new Rng(1), { task: "hi" })).toThrow(/tool-router request/);
    expect(() => new ToolRouter({ tools: 3 } as never)).toThrow(/Invalid options for environment "tool-router"/);
  });
});

describe("transfer to new wordings on the tool router", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "jotty-tool-router-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function heldOut(similarity: boolean): Promise<number> {
    const qPredictor = { ...(CONFIG.qPredictor as object), similarity };
    const config = parseConfig({ ...CONFIG, learningMode: "contextual", qPredictor, outputDir: path.join(dir, String(similarity)) });
    const report = await trainRun({ config, run: 1, episodes: 240, heldOutLimit: 96 });
    return report.heldOutSuccessRate;
  }

  it("a team that estimates from similar requests does clearly better on unseen wordings than a tabular one, which stays near chance", async () => {
    const similar = await heldOut(true);
    const tabular = await heldOut(false);
    console.log(`tool-router held-out after 240 episodes: similarity ${similar.toFixed(2)}, tabular ${tabular.toFixed(2)}, chance ${(1 / 12).toFixed(2)}`);
    expect(tabular).toBeLessThanOrEqual(1 / 12 + 0.1);
    expect(similar).toBeGreaterThanOrEqual(tabular + 0.3);
  }, 300_000);
});
