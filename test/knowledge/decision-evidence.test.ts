import { describe, expect, it } from "vitest";
import { DecisionEvidence, decisionPointOf, renderLearnedContext, type DecisionPoint } from "../../src/knowledge/index.js";
import { Rng } from "../../src/util/index.js";

const date = decisionPointOf({ observation: "Which column gives the date?", actions: ["dt", "ts"], info: { decision: "date", situation: "the question is about dates" } }) as DecisionPoint;
const money = decisionPointOf({ observation: "How is money expressed?", actions: ["cents / 100", "cents"], info: { decision: "money", situation: "the question asks for money" } }) as DecisionPoint;

/** An episode of two decisions that succeeds only when both are right (dt, cents / 100). */
function episode(evidence: DecisionEvidence, index: number, dateChoice: string, moneyChoice: string): void {
  const success = dateChoice === "dt" && moneyChoice === "cents / 100";
  evidence.record({
    episode: index,
    taskType: "sum",
    success,
    return: success ? 1 : 0,
    outcome: success ? "The answer was right." : "The answer was wrong.",
    decisions: [
      { point: date, chosen: dateChoice },
      { point: money, chosen: moneyChoice },
    ],
  });
}

describe("DecisionEvidence", () => {
  it("does not blame a right decision for a failure another decision explains", () => {
    const evidence = new DecisionEvidence();
    let index = 0;
    for (let i = 0; i < 4; i += 1) episode(evidence, index++, "dt", "cents / 100");
    // dt inside failures whose money choice is the only untested one: money is to blame.
    for (let i = 0; i < 6; i += 1) episode(evidence, index++, "dt", "cents");
    for (let i = 0; i < 6; i += 1) episode(evidence, index++, "ts", "cents / 100");
    const dt = evidence.optionsAt(date.key).find((item) => item.option === "dt");
    expect(dt).toMatchObject({ trials: 10, successes: 4, blamed: 0 });
    expect(evidence.optionsAt(money.key).find((item) => item.option === "cents")).toMatchObject({ blamed: 6 });
    const lessons = evidence.knowledge().lessons;
    expect(lessons.map((lesson) => lesson.text)).toEqual(
      expect.arrayContaining([
        'USE "dt" (not "ts") when the question is about dates — dt: 4/4 right; ts: 0/6 right',
        'USE "cents / 100" (not "cents") when the question asks for money — cents / 100: 4/4 right; cents: 0/6 right',
      ]),
    );
    expect(lessons.some((lesson) => lesson.kind === "avoid" && (lesson.option === "dt" || lesson.option === "cents / 100"))).toBe(false);
  });

  it("blames nobody when two untested decisions fail together, and no lesson comes of it", () => {
    const evidence = new DecisionEvidence();
    for (let i = 0; i < 10; i += 1) episode(evidence, i, "ts", "cents");
    expect(evidence.knowledge().lessons).toEqual([]);
    expect(evidence.optionsAt(date.key)[0]).toMatchObject({ option: "ts", trials: 10, blamed: 0 });
  });

  it("retracts a lesson when its evidence turns, and never holds a use and an avoid of one option", () => {
    const evidence = new DecisionEvidence();
    let index = 0;
    for (let i = 0; i < 5; i += 1) episode(evidence, index++, "dt", "cents / 100");
    for (let i = 0; i < 5; i += 1) episode(evidence, index++, "ts", "cents / 100");
    expect(evidence.rule(date.key)?.option).toBe("dt");
    // The world changes: ts now works, and dt is blamed.
    const retracted: string[] = [];
    for (let i = 0; i < 12; i += 1) {
      const success = true;
      retracted.push(
        ...evidence.record({ episode: index++, taskType: "sum", success, return: 1, outcome: "right", decisions: [{ point: date, chosen: "ts" }, { point: money, chosen: "cents / 100" }] }).retracted,
      );
    }
    expect(retracted).toContain('USE "dt" when the question is about dates');
    expect(evidence.stats().retractions).toBeGreaterThan(0);
    for (const lesson of evidence.knowledge().lessons) {
      expect(evidence.knowledge().lessons.filter((other) => other.point === lesson.point && other.option === lesson.option)).toHaveLength(1);
    }
  });

  it("derives the procedure successes share, causes with their effect, and what decides failures", () => {
    const evidence = new DecisionEvidence();
    let index = 0;
    for (let i = 0; i < 4; i += 1) episode(evidence, index++, "dt", "cents / 100");
    for (let i = 0; i < 3; i += 1) episode(evidence, index++, "ts", "cents / 100");
    for (let i = 0; i < 1; i += 1) episode(evidence, index++, "dt", "cents");
    const { procedures, causes, meta } = evidence.knowledge();
    expect(procedures[0]?.text).toBe('Procedure for "sum" tasks, shared by 4 successes (4 failures): 1. dt (3 failures lacked it) → 2. cents / 100 (1 failure lacked it)');
    expect(causes[0]).toMatchObject({ option: "ts", effect: "The answer was wrong.", blamed: 3 });
    expect(causes[0]?.confidence).toBeCloseTo(0.5 + 0.05 + 0.045 + 0.0405, 5);
    expect(meta[0]?.text).toBe('In "sum" tasks the "date" decision decides 75%, "money" decision decides 25% of failures (4 failures).');
  });

  it("explores untried options by Thompson sampling and probes an untested alternative once one option works", () => {
    const evidence = new DecisionEvidence();
    const rng = new Rng(3);
    const draws = Array.from({ length: 200 }, () => evidence.explore({ point: date.key, options: date.options, rng }));
    expect(new Set(draws)).toEqual(new Set(["dt", "ts"]));
    expect(evidence.probe({ point: date.key, options: date.options, rng })).toBeUndefined();
    episode(evidence, 0, "dt", "cents / 100");
    expect(evidence.probe({ point: date.key, options: date.options, rng })).toBe("ts");
  });

  it("round-trips through its snapshot and refuses a malformed one, changing nothing", () => {
    const evidence = new DecisionEvidence();
    for (let i = 0; i < 4; i += 1) episode(evidence, i, "dt", "cents / 100");
    const copy = new DecisionEvidence();
    copy.restoreState(JSON.parse(JSON.stringify(evidence.snapshot())));
    expect(copy.knowledge().lessons).toEqual(evidence.knowledge().lessons);
    expect(() => copy.restoreState({ schemaVersion: 1, points: "no" })).toThrow(/decision evidence/);
    expect(copy.snapshot()).toEqual(evidence.snapshot());
  });
});

describe("renderLearnedContext", () => {
  it("leads with the rules, leaves out what contradicts them and repeats nothing, within the budget", () => {
    const evidence = new DecisionEvidence();
    for (let i = 0; i < 5; i += 1) episode(evidence, i, "dt", "cents / 100");
    for (let i = 0; i < 5; i += 1) episode(evidence, 10 + i, "ts", "cents / 100");
    const rules = evidence.knowledge().lessons.filter((lesson) => lesson.point === date.key);
    const context = renderLearnedContext({
      rules,
      examples: [
        { id: "m1", kind: "success", content: "filtered on ts and it worked", value: 0.9 },
        { id: "m2", kind: "success", content: "filtered on dt", value: 0.8 },
        { id: "m2", kind: "success", content: "filtered on dt", value: 0.8 },
        { id: "m3", kind: "failure", content: "a failure", value: 0.2 },
      ],
      strategies: [{ type: "helpful", description: "use ts for dates", helpful: 3, harmful: 0 }],
    });
    expect(context.lines[0]).toMatch(/^Rules for this decision/);
    expect(context.lines[1]).toMatch(/^- USE "dt" \(not "ts"\)/);
    expect(context.text).not.toContain("filtered on ts");
    expect(context.text).not.toContain("use ts for dates");
    expect(context.text.match(/filtered on dt/g)).toHaveLength(1);
    expect(context.memories).toEqual(["m2"]);
    expect(renderLearnedContext({ rules, maxTokens: 20 }).lines.length).toBeLessThan(context.lines.length);
  });
});

describe("decisionPointOf", () => {
  it("gives a point met again as it gave it first, and tells apart what differs only in the environment's naming", () => {
    const observation = "You stand at a fork. Paths lead left and right.";
    const plain = decisionPointOf({ observation, actions: ["right", "left", "left"] }) as DecisionPoint;
    expect(plain).toEqual({ key: plain.key, label: "you stand at a fork", situation: "you stand at a fork", options: ["left", "right"], named: false });
    expect(decisionPointOf({ observation, actions: ["right", "left", "left"] })).toEqual(plain);
    // Same observation and actions, but the environment names the decision or describes the situation.
    const named = decisionPointOf({ observation, actions: ["right", "left", "left"], info: { decision: "fork" } }) as DecisionPoint;
    const described = decisionPointOf({ observation, actions: ["right", "left", "left"], info: { situation: "two paths" } }) as DecisionPoint;
    expect(named).toMatchObject({ label: "fork", situation: "you stand at a fork", named: true });
    expect(described).toMatchObject({ label: "two paths", situation: "two paths", named: false });
    expect(new Set([plain.key, named.key, described.key]).size).toBe(3);
    expect(decisionPointOf({ observation, actions: ["left"] })).toBeUndefined();
    // Points are shared between the steps that meet them: nothing may change one.
    expect(() => (plain.options as string[]).push("back")).toThrow();
    expect(decisionPointOf({ observation, actions: ["right", "left"] })?.options).toEqual(["left", "right"]);
  });
});
