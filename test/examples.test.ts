import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { INITIAL_VALUES } from "../src/index.js";

const run = promisify(execFile);

async function example(name: string): Promise<string> {
  const { stdout } = await run(process.execPath, ["--import", "tsx", `examples/${name}.ts`], { timeout: 120_000 });
  return stdout;
}

/** The numbers a line of the output carries, by a pattern with one group per number. */
function numbers(output: string, pattern: RegExp): number[] {
  const match = pattern.exec(output);
  expect(match, `no line matching ${pattern} in:\n${output}`).not.toBeNull();
  return (match as RegExpExecArray).slice(1).map(Number);
}

// Every example runs offline with `npx tsx examples/<name>.ts`; each test checks the lines that
// show the example did its work. Nothing here depends on how long a run takes.
describe("examples", { timeout: 150_000 }, () => {
  it("quickstart learns the house rules: held-out success rises, and the trained team's answer is accepted", async () => {
    const output = await example("quickstart");
    const [before] = numbers(output, /^before training: (\d+)% of held-out questions right$/m);
    const [after] = numbers(output, /^after 100 episodes: (\d+)% right$/m);
    expect(before).toBeLessThan(30);
    expect(after).toBeGreaterThanOrEqual(70);
    // The first held-out question, answered by the whole team in dependency order, ending in the auditor's acceptance.
    const steps = [...output.matchAll(/^ {2}([\w-]+): (.+)$/gm)].map((match) => ({ actor: match[1], action: match[2] }));
    expect(steps[0]?.actor).toBe("schema-scout");
    expect(new Set(steps.map((step) => step.actor))).toEqual(new Set(["schema-scout", "query-writer", "auditor"]));
    expect(steps.at(-1)).toEqual({ actor: "auditor", action: "accept the answer" });
    // What it learned, as lessons for a prompt.
    expect(output).toMatch(/^- (LEARNED|DISCOVERY|CAUTION|AVOID): "[^"]+" when /m);
  });

  it("custom-environment improves its thermostat", async () => {
    const [first, last] = numbers(await example("custom-environment"), /^first 50 evenings: (\d+)% comfortable; last 50: (\d+)%$/m);
    expect(last).toBeGreaterThan((first as number) + 15);
    expect(last).toBeGreaterThanOrEqual(80);
  });

  it("llm-actor asks the model on the first task and replays the second from what it learned, without model calls", async () => {
    const output = await example("llm-actor");
    const episode = /^episode (\d): reached the goal in (\d+) steps, mode (\w+), (\d+) model calls$/gm;
    const [first, second] = [...output.matchAll(episode)].map((match) => ({ steps: Number(match[2]), mode: match[3], calls: Number(match[4]) }));
    expect(first?.mode).toBe("learner");
    expect(first?.calls).toBeGreaterThan(0);
    expect(second).toEqual({ steps: first?.steps, mode: "follower", calls: 0 });
    const [total] = numbers(output, /^the model was called (\d+) times in all$/m);
    expect(total).toBe(first?.calls);
  });

  it("learning-loops curates, relearns and recovers", async () => {
    const output = await example("learning-loops");
    const [version] = numbers(output, /^playbook "analysts" v(\d+):$/m);
    expect(version).toBeGreaterThan(1);
    // Both successes taught the same two steps; the failure its wrong count.
    const strategies = [...output.matchAll(/^ {2}(helpful|harmful|neutral) +(.+) \(seen (\d+)×\)$/gm)].map((match) => [match[1], match[2], Number(match[3])]);
    expect(strategies).toEqual([
      ["helpful", "filter on dt", 2],
      ["helpful", "count only settled rows", 2],
      ["harmful", "count every row", 1],
    ]);
    // Feedback of 0.1 on a success moved its score by 0.9: priority 9, the only one queued.
    expect(output).toMatch(/^relearning queue: t-\d+ \(priority 9\)$/m);
    expect(output).toContain("executeWithLearning: success, ran with: add a partition filter on dt");
    const trends = JSON.parse(/^trends: (.+)$/m.exec(output)?.[1] ?? "null") as Record<string, { trajectories: number; successRate: number }>;
    expect(trends.sql).toMatchObject({ trajectories: 4, successRate: 0.75 });
  });

  it("memory-learning raises the value of the habit that pays off, lowers the other's, and distils a pattern", async () => {
    const output = await example("memory-learning");
    const [good] = numbers(output, /^value of "Filtered on dt and counted only settled payments": (\d\.\d+)$/m);
    const [bad] = numbers(output, /^value of "Filtered on ts and counted pending payments too": (\d\.\d+)$/m);
    const [unseen] = numbers(output, /^…for a goal never seen, "what was revenue per day": (\d\.\d+)$/m);
    expect(good).toBeGreaterThan(INITIAL_VALUES.success + 0.3);
    expect(bad).toBeLessThan(INITIAL_VALUES.failure - 0.3);
    // A similar goal inherits some of what was learned for the trained one.
    expect(unseen).toBeGreaterThan(INITIAL_VALUES.success);
    expect(unseen).toBeLessThan(good as number);
    const [patterns] = numbers(output, /^consolidated: (\d+) pattern\(s\)/m);
    expect(patterns).toBeGreaterThanOrEqual(1);
    expect(output).toMatch(/^learned context for the prompt:\nHigh-value pattern: Pattern across 5 episodes \(5 succeeded, 0 failed\)/m);
  });

  it("td-lambda-random-walk learns values close to the true ones", async () => {
    const output = await example("td-lambda-random-walk");
    expect(output).toContain("position  learned  true");
    const rows = [...output.matchAll(/^ +(\d+) +(-?\d\.\d{3}) +(-?\d\.\d{3})$/gm)].map((match) => ({ position: Number(match[1]), learned: Number(match[2]), truth: Number(match[3]) }));
    expect(rows.map((row) => row.position)).toEqual(Array.from({ length: 19 }, (_, index) => index + 1));
    const rms = (errors: number[]): number => Math.sqrt(errors.reduce((sum, error) => sum + error * error, 0) / errors.length);
    // Values start at 0, an RMS error of about 0.55 against the truth.
    expect(rms(rows.map((row) => row.truth))).toBeGreaterThan(0.5);
    expect(rms(rows.map((row) => row.learned - row.truth))).toBeLessThan(0.15);
    for (let index = 1; index < rows.length; index += 1) expect(rows[index]?.learned).toBeGreaterThan(rows[index - 1]?.learned as number);
  });
});
