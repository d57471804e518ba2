import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);

async function example(name: string): Promise<string> {
  const { stdout } = await run(process.execPath, ["--import", "tsx", `examples/${name}.ts`], { timeout: 120_000 });
  return stdout;
}

// Every example runs offline with `npx tsx examples/<name>.ts`.
describe("examples", () => {
  it("quickstart learns the house rules", async () => {
    const output = await example("quickstart");
    const [before, after] = [...output.matchAll(/(\d+)% /g)].map((match) => Number(match[1]));
    expect(before).toBeLessThan(30);
    expect(after).toBeGreaterThanOrEqual(70);
  });

  it("custom-environment improves its thermostat", async () => {
    const [, first, last] = /first 50 evenings: (\d+)% comfortable; last 50: (\d+)%/.exec(await example("custom-environment")) ?? [];
    expect(Number(last)).toBeGreaterThan(Number(first));
  });

  it("llm-actor replays the second task without model calls", async () => {
    const output = await example("llm-actor");
    expect(output).toContain("episode 2: reached the goal in 9 steps, mode follower, 0 model calls");
  });

  it("learning-loops curates, relearns and recovers", async () => {
    const output = await example("learning-loops");
    expect(output).toContain("helpful filter on dt");
    expect(output).toMatch(/relearning queue: t-\d+ \(priority \d+\)/);
    expect(output).toContain("executeWithLearning: success, ran with: add a partition filter on dt");
  });

  it("memory-learning and td-lambda-random-walk run", async () => {
    expect(await example("memory-learning")).toContain("learned context for the prompt");
    expect(await example("td-lambda-random-walk")).toContain("position  learned  true");
  });
});
