import { FakeListChatModel } from "@langchain/core/utils/testing";
import { describe, expect, it } from "vitest";
import { Experience, JottyError, ManualClock, type Reflection } from "../../src/index.js";

const DAY = 86_400_000;

function attempt(
  experience: Experience,
  {
    task = "sum settled revenue for yesterday",
    taskType = "sql",
    agentId = "analyst",
    status = "success" as "success" | "failure" | "partial",
    steps = [
      { type: "action" as const, description: "filter on the dt partition column", result: "ok, 120 rows", tool: "sql" },
      { type: "action" as const, description: "count only settled transactions", result: "ok, 96 rows", tool: "sql" },
      { type: "observation" as const, description: "ts differs from dt near midnight", result: "noted" },
    ],
    error,
  }: { task?: string; taskType?: string; agentId?: string; status?: "success" | "failure" | "partial"; steps?: Array<{ type: "action" | "decision" | "observation"; description: string; result: string; tool?: string }>; error?: string } = {},
): string {
  const id = experience.startTrajectory({ task, taskType, agentId, userId: "u1" });
  for (const step of steps) experience.logStep(id, step);
  experience.completeTrajectory(id, { status, ...(error === undefined ? {} : { error }), metrics: { tokens: 10, cost: 0.01 } });
  return id;
}

describe("trajectories", () => {
  it("record steps and outcome with duration, tokens and cost", () => {
    const clock = new ManualClock(1_000);
    const experience = new Experience({ clock });
    const id = experience.startTrajectory({ task: "count refunds", taskType: "sql", agentId: "analyst", userId: "u1" });
    experience.logStep(id, { type: "action", description: "filter category_code = 'REFUND'", result: "ok" });
    clock.advance(250);
    const done = experience.completeTrajectory(id, { status: "success", score: 0.9, metrics: { tokens: 42, cost: 0.002 } });
    expect(done).toMatchObject({ status: "success", score: 0.9, metrics: { durationMs: 250, tokens: 42, cost: 0.002 } });
    expect(done.steps).toEqual([{ type: "action", description: "filter category_code = 'REFUND'", result: "ok", at: 1_000 }]);
    expect(done.traceHash).toMatch(/^[0-9a-f]{64}$/);
    expect(() => experience.logStep(id, { type: "action", description: "late", result: "x" })).toThrow(JottyError);
  });

  it("store the steps of identical traces once, and read each trajectory's steps back with its own times", () => {
    const clock = new ManualClock(1_000);
    const experience = new Experience({ clock });
    const steps = [
      { type: "action" as const, description: "filter category_code = 'REFUND' on the dt partition", result: "ok, 17 rows", tool: "sql" },
      { type: "observation" as const, description: "refunds settle a day late", result: "noted" },
    ];
    const run = (agentId: string): string => {
      const id = experience.startTrajectory({ task: "count refunds", taskType: "sql", agentId, userId: "u1" });
      for (const step of steps) {
        clock.advance(10);
        experience.logStep(id, step);
      }
      experience.completeTrajectory(id, { status: "success" });
      return id;
    };
    const first = run("analyst");
    const alone = JSON.stringify(experience.snapshot());
    clock.advance(1_000);
    const twin = run("other");
    const running = experience.startTrajectory({ task: "count refunds", userId: "u3" });
    experience.logStep(running, steps[0] as (typeof steps)[0]);

    const snapshot = experience.snapshot();
    const serialized = JSON.stringify(snapshot);
    // The step list is in the trace table once; the completed trajectories only point at it.
    expect(Object.keys(snapshot.traces)).toHaveLength(1);
    expect(snapshot.trajectories.filter((trajectory) => trajectory.status !== "running").map((trajectory) => [trajectory.traceHash, trajectory.steps])).toEqual([
      [Object.keys(snapshot.traces)[0], undefined],
      [Object.keys(snapshot.traces)[0], undefined],
    ]);
    expect(serialized.split("refunds settle a day late")).toHaveLength(2);
    // ...and the running one's own copy of the first step is the only other.
    expect(serialized.split("ok, 17 rows")).toHaveLength(3);
    // The twin costs its own record and step times, not another copy of the steps.
    const withTwin = JSON.stringify({ ...snapshot, trajectories: snapshot.trajectories.filter((trajectory) => trajectory.id !== running) });
    const record = JSON.stringify(snapshot.trajectories.find((trajectory) => trajectory.id === twin));
    expect(withTwin.length - alone.length).toBeLessThanOrEqual(record.length + 1);
    expect(record).not.toContain("refunds settle a day late");

    expect(experience.traceCount).toBe(1);
    expect(experience.steps(first)).toEqual(steps.map((step, index) => ({ ...step, at: 1_010 + 10 * index })));
    expect(experience.steps(twin)).toEqual(steps.map((step, index) => ({ ...step, at: 2_030 + 10 * index })));
    expect(experience.trajectory(twin).steps).toEqual(experience.steps(twin));
    expect(experience.queryTrajectories({ agentId: "analyst" })[0]?.steps).toEqual(experience.steps(first));
    const restored = Experience.restore(JSON.parse(serialized), { clock });
    expect(restored.steps(twin)).toEqual(experience.steps(twin));
    expect(restored.trajectory(running).steps).toEqual([{ ...steps[0], at: 2_040 }]);
  });

  it("are queried by agent, task type, status, score, time and limit, newest first", () => {
    const clock = new ManualClock(0);
    const experience = new Experience({ clock });
    const first = attempt(experience, { agentId: "a" });
    clock.advance(DAY);
    const second = attempt(experience, { agentId: "b", status: "failure", error: "timeout" });
    clock.advance(DAY);
    const third = attempt(experience, { agentId: "a", taskType: "report" });
    expect(experience.queryTrajectories().map((trajectory) => trajectory.id)).toEqual([third, second, first]);
    expect(experience.queryTrajectories({ agentId: "a" }).map((trajectory) => trajectory.id)).toEqual([third, first]);
    expect(experience.queryTrajectories({ status: "failure" }).map((trajectory) => trajectory.id)).toEqual([second]);
    expect(experience.queryTrajectories({ taskType: "sql", minScore: 0.5 }).map((trajectory) => trajectory.id)).toEqual([first]);
    expect(experience.queryTrajectories({ since: DAY, limit: 1 }).map((trajectory) => trajectory.id)).toEqual([third]);
  });
});

describe("reflection", () => {
  it("by rules: a success's steps are helpful, a failure's erring and last steps harmful", async () => {
    const experience = new Experience();
    const good = await experience.reflect(attempt(experience));
    expect(good.source).toBe("rules");
    expect(good.helpfulStrategies.map((item) => item.description)).toEqual(["filter on the dt partition column", "count only settled transactions"]);
    expect(good.helpfulStrategies.every((item) => item.confidence === 0.4)).toBe(true);
    expect(good.observations).toEqual([{ description: "ts differs from dt near midnight", relevance: 0.6 }]);
    const bad = await experience.reflect(
      attempt(experience, {
        status: "failure",
        error: "wrong total",
        steps: [
          { type: "action", description: "filter on ts", result: "ok" },
          { type: "action", description: "join the users table", result: "error: column not found" },
          { type: "action", description: "sum all statuses", result: "ok" },
        ],
      }),
    );
    expect(bad.helpfulStrategies).toEqual([]);
    expect(bad.harmfulPatterns.map((item) => [item.description, item.impact])).toEqual([
      ["join the users table", "high"],
      ["sum all statuses", "medium"],
    ]);
    expect(experience.reflectionMemories()).toHaveLength(2);
  });

  it("uses the model's reflection when one is configured, and rules when it fails", async () => {
    const answer = {
      helpful_strategies: [{ description: "filter on the dt partition column", evidence: "120 rows", confidence: 0.9 }],
      harmful_patterns: [{ description: "ts differs from dt near midnight", evidence: "noted", impact: "high" }],
      observations: [{ description: "count only settled transactions", relevance: 0.5 }],
    };
    const withModel = new Experience({ llm: new FakeListChatModel({ responses: [JSON.stringify(answer)] }) });
    const reflection = await withModel.reflect(attempt(withModel));
    expect(reflection).toMatchObject({ source: "llm", helpfulStrategies: answer.helpful_strategies });
    expect(reflection.harmfulPatterns[0]).toMatchObject({ description: "ts differs from dt near midnight", impact: "high" });
    const broken = new Experience({ llm: new FakeListChatModel({ responses: ["not json"] }) });
    expect((await broken.reflect(attempt(broken))).source).toBe("rules");
    expect(broken.llmUsage()).toMatchObject({ calls: 1, failures: 1, rejected: 0 });
  });

  it("gives the model no longer than llmTimeoutMs for a reflection, then reflects by rules", async () => {
    const answer = { helpful_strategies: [{ description: "filter on the dt partition column", evidence: "120 rows", confidence: 0.9 }], harmful_patterns: [], observations: [] };
    const slow = () => new FakeListChatModel({ responses: [JSON.stringify(answer)], sleep: 400 });
    const hurried = new Experience({ llm: slow(), llmTimeoutMs: 50 });
    expect((await hurried.reflect(attempt(hurried))).source).toBe("rules");
    expect(hurried.llmUsage()).toMatchObject({ calls: 1, failures: 1 });
    const patient = new Experience({ llm: slow(), llmTimeoutMs: 5_000 });
    expect((await patient.reflect(attempt(patient))).source).toBe("llm");
  });

  it("rejects a model reflection that finds nothing or names what the trajectory did not do, and reflects by rules", async () => {
    const empty = { helpful_strategies: [], harmful_patterns: [], observations: [] };
    const invented = {
      helpful_strategies: [{ description: "always filter on dt", evidence: "matched", confidence: 0.9 }],
      harmful_patterns: [{ description: "calling the marketing dashboard API", evidence: "slow", impact: "high" }],
      observations: [],
    };
    for (const answer of [empty, invented]) {
      const experience = new Experience({ llm: new FakeListChatModel({ responses: [JSON.stringify(answer)] }) });
      const reflection = await experience.reflect(attempt(experience));
      expect(reflection.source).toBe("rules");
      expect(reflection.helpfulStrategies.map((item) => item.description)).toContain("filter on the dt partition column");
      expect(experience.llmUsage()).toMatchObject({ calls: 1, failures: 1, rejected: 1 });
    }
  });

  it("stops asking for reflections after three unusable answers in a row, and counts the calls it skipped", async () => {
    const experience = new Experience({ llm: new FakeListChatModel({ responses: ['{"reasoning":"x","action":"y"}'] }) });
    for (let index = 0; index < 5; index += 1) expect((await experience.reflect(attempt(experience))).source).toBe("rules");
    expect(experience.llmUsage()).toMatchObject({ calls: 3, failures: 3, skipped: 2 });
  });

  it("batch reflection reports what recurs in at least 20% of enough trajectories", async () => {
    const experience = new Experience();
    expect((await experience.batchReflect({ minTrajectories: 10 })).enough).toBe(false);
    for (let index = 0; index < 7; index += 1) {
      attempt(experience, { steps: [{ type: "action", description: `unique step ${index}`, result: "ok" }] });
    }
    for (let index = 0; index < 3; index += 1) {
      attempt(experience, { status: "failure", error: `timeout after ${index + 30} s`, steps: [{ type: "action", description: "scan the whole table", result: "timeout" }] });
    }
    const report = await experience.batchReflect({ minTrajectories: 10 });
    expect(report.enough).toBe(true);
    expect(report.patterns).toEqual([{ type: "harmful", description: "scan the whole table", count: 3, frequency: 0.3 }]);
    // Failures are grouped with their numbers ignored; the most recent wording represents them.
    expect(report.failures).toEqual([{ error: "timeout after 32 s", count: 3, frequency: 0.3 }]);
  });
});

describe("playbooks", () => {
  it("curating the same reflections twice leaves the playbook unchanged", async () => {
    const experience = new Experience();
    const reflections: Reflection[] = [];
    for (let index = 0; index < 3; index += 1) reflections.push(await experience.reflect(attempt(experience)));
    const first = await experience.playbooks.curate("analysts", reflections);
    const after = experience.playbooks.get("analysts");
    expect(after.strategies).toHaveLength(2);
    expect(after.strategies[0]).toMatchObject({ helpfulCount: 3, sourceTrajectories: reflections.map((reflection) => reflection.trajectoryId) });
    const again = await experience.playbooks.curate("analysts", reflections);
    expect(again).toEqual({ version: first.version, added: [], updated: [], retired: [] });
    expect(experience.playbooks.get("analysts")).toEqual(after);
  });

  it("caps evidence and sources, still counts each trajectory once, and stores versions as changes (issue 13)", async () => {
    const experience = new Experience();
    const reflection = (trajectoryId: string): Reflection => ({
      id: `r-${trajectoryId}`,
      trajectoryId,
      helpfulStrategies: [{ description: "filter dates on the dt column", evidence: `${trajectoryId}: filter dates on dt → right`, confidence: 0.5 }],
      harmfulPatterns: [],
      observations: [],
      score: 1,
      source: "rules",
      at: 0,
    });
    for (let index = 0; index < 200; index += 1) await experience.playbooks.curate("team", [reflection(`t${index}`)]);
    const [strategy] = experience.playbooks.get("team").strategies;
    expect(strategy?.helpfulCount).toBe(200);
    expect(strategy?.evidence).toHaveLength(5);
    expect(strategy?.evidence.at(-1)).toContain("t199");
    expect(strategy?.sourceTrajectories).toHaveLength(20);
    // An old trajectory, out of the capped list, is still known as counted.
    expect(await experience.playbooks.curate("team", [reflection("t3")])).toMatchObject({ updated: [] });
    expect(experience.playbooks.get("team").strategies[0]?.helpfulCount).toBe(200);
    const snapshot = experience.playbooks.snapshot();
    const history = snapshot.team as { changes: Array<{ set: unknown[] }> };
    expect(history.changes.length).toBe(49);
    expect(history.changes.every((change) => change.set.length === 1)).toBe(true);
    expect(JSON.stringify(snapshot).length).toBeLessThan(100_000);
    const restored = new Experience();
    restored.playbooks.load(JSON.parse(JSON.stringify(snapshot)));
    expect(restored.playbooks.history("team")).toEqual(experience.playbooks.history("team"));
    expect(restored.playbooks.snapshot()).toEqual(snapshot);
    // What an older Jotty wrote, whole versions with long lists, loads and is capped.
    const legacy = new Experience();
    const versions = experience.playbooks.history("team").map((version) => ({ ...version, strategies: version.strategies.map((item) => ({ ...item, evidence: Array.from({ length: 50 }, (_, index) => `e${index}`) })) }));
    legacy.playbooks.load({ team: versions });
    expect(legacy.playbooks.get("team").strategies[0]?.evidence).toHaveLength(5);
  });

  it("merges a similar finding of the same type, counts one of the other type against it, and caps the size", async () => {
    const experience = new Experience({ maxStrategies: 3 });
    const reflection = (trajectoryId: string, helpful: string[], harmful: string[] = []): Reflection => ({
      id: `r-${trajectoryId}`,
      trajectoryId,
      helpfulStrategies: helpful.map((description) => ({ description, evidence: `${trajectoryId} worked`, confidence: 0.5 })),
      harmfulPatterns: harmful.map((description) => ({ description, evidence: `${trajectoryId} hurt`, impact: "high" as const, confidence: 0.6 })),
      observations: [],
      score: 1,
      source: "rules",
      at: 0,
    });
    await experience.playbooks.curate("team", [reflection("t1", ["filter rows on the dt partition column"])]);
    const merged = await experience.playbooks.curate("team", [reflection("t2", ["Filter rows on the dt partition column."]), reflection("t2b", [], ["filter rows on the dt partition column"])]);
    expect(merged.updated).toHaveLength(1);
    // The harmful finding contradicts the helpful strategy: counted against it, not kept as a twin.
    expect(merged.added).toHaveLength(0);
    const strategy = experience.playbooks.get("team").strategies.find((candidate) => candidate.type === "helpful");
    expect(strategy).toMatchObject({ helpfulCount: 2, harmfulCount: 1, evidence: ["t1 worked", "t2 worked"], sourceTrajectories: ["t1", "t2", "t2b"] });
    expect(strategy?.confidence).toBeCloseTo(0.45);
    const capped = await experience.playbooks.curate("team", [reflection("t3", ["group revenue by merchant", "convert cents to euros", "exclude failed payments"])]);
    expect(capped.retired).toHaveLength(1);
    expect(experience.playbooks.get("team").strategies.filter((candidate) => !candidate.retired)).toHaveLength(3);
    // Under the cap the contested strategy (2 for, 1 against, confidence 0.45) goes first.
    expect(capped.retired).toEqual([strategy?.id]);
  });

  it("never holds a strategy as helpful and harmful at once: contrary evidence retires it once it is not clearly outnumbered", async () => {
    const experience = new Experience();
    const finding = (trajectoryId: string, success: boolean): Reflection => ({
      id: `r-${trajectoryId}`,
      trajectoryId,
      helpfulStrategies: success ? [{ description: "accept the answer", evidence: `${trajectoryId} right`, confidence: 0.4 }] : [],
      harmfulPatterns: success ? [] : [{ description: "accept the answer", evidence: `${trajectoryId} wrong`, impact: "medium", confidence: 0.4 }],
      observations: [],
      score: success ? 1 : 0,
      source: "rules",
      at: 0,
    });
    const active = () => experience.playbooks.get("team").strategies.filter((strategy) => !strategy.retired);
    for (let index = 0; index < 15; index += 1) await experience.playbooks.curate("team", [finding(`s${index}`, true)]);
    // Two contrary findings among many agreeing ones: counted, not enough to retire.
    for (let index = 0; index < 2; index += 1) await experience.playbooks.curate("team", [finding(`f${index}`, false)]);
    expect(active()).toHaveLength(1);
    expect(active()[0]).toMatchObject({ type: "helpful", helpfulCount: 15, harmfulCount: 2 });
    let retiredAt = -1;
    for (let index = 2; index < 45 && retiredAt < 0; index += 1) {
      const result = await experience.playbooks.curate("team", [finding(`f${index}`, false)]);
      if (result.retired.length > 0) retiredAt = index + 1;
    }
    // 15 for, 14 against: the Wilson lower bound of 15/29 falls below one half well before.
    expect(retiredAt).toBeGreaterThan(2);
    expect(retiredAt).toBeLessThanOrEqual(14);
    const strategies = experience.playbooks.get("team").strategies;
    expect(strategies).toHaveLength(1);
    expect(strategies[0]).toMatchObject({ type: "helpful", retired: true });
    // Further findings of either type do not bring it back, nor start a twin.
    await experience.playbooks.curate("team", [finding("later-f", false), finding("later-s", true)]);
    expect(experience.playbooks.get("team").strategies).toHaveLength(1);
    expect(active()).toHaveLength(0);
  });

  it("records usage, finds relevant strategies, diffs, retires and rolls back versions", async () => {
    const experience = new Experience();
    await experience.playbooks.curate("team", [await experience.reflect(attempt(experience))]);
    const v2 = experience.playbooks.get("team").version;
    expect(experience.playbooks.recordUsage("team", { success: true, improvement: 0.2 }).usage).toEqual({ count: 1, successRate: 1, improvement: 0.2 });
    expect(experience.playbooks.recordUsage("team", { success: false }).usage.successRate).toBeCloseTo(0.9);
    const [top] = await experience.playbooks.relevantStrategies({ name: "team", task: "count settled transactions per day", k: 1 });
    expect(top?.description).toBe("count only settled transactions");
    const retiredVersion = experience.playbooks.retire("team", top?.id as string).version;
    expect((await experience.playbooks.relevantStrategies({ name: "team", task: "count settled transactions" })).map((strategy) => strategy.id)).not.toContain(top?.id);
    const diff = experience.playbooks.diff("team", v2, retiredVersion);
    expect(diff.changed.map((change) => [change.id, change.before.retired, change.after.retired])).toEqual([[top?.id, false, true]]);
    const rolled = experience.playbooks.rollback("team", v2);
    expect(rolled.version).toBe(retiredVersion + 1);
    expect(rolled.strategies.every((strategy) => !strategy.retired)).toBe(true);
    expect(experience.playbooks.history("team").map((version) => version.note)).toEqual([
      "created",
      "curated 1 reflection(s)",
      `retired ${top?.id}`,
      `rolled back to version ${v2}`,
    ]);
    expect(rolled.usage.count).toBe(2); // usage carries over to the versions that follow
  });
});

describe("feedback and relearning", () => {
  it("computes latest, average and age-weighted effective scores", () => {
    const clock = new ManualClock(0);
    const experience = new Experience({ clock });
    const id = attempt(experience);
    experience.addFeedback(id, { type: "human", score: 0.2, source: "reviewer" });
    clock.advance(DAY);
    experience.addFeedback(id, { type: "production", score: 0.8, source: "dashboard" });
    clock.advance(DAY);
    // Ages 2 days and 1 day: weights 1/3 and 1/2.
    expect(experience.effectiveScore(id, { strategy: "weighted" })).toBeCloseTo((0.2 / 3 + 0.8 / 2) / (1 / 3 + 1 / 2), 10);
    expect(experience.effectiveScore(id, { strategy: "latest" })).toBe(0.8);
    expect(experience.effectiveScore(id, { strategy: "average" })).toBeCloseTo(0.5);
    expect(() => experience.addFeedback(id, { type: "human", score: 3 })).toThrow(JottyError);
  });

  it("flags relearning when feedback moves the score by more than 0.3, and relearns in priority order", async () => {
    const clock = new ManualClock(0);
    const experience = new Experience({ clock });
    const slightly = attempt(experience);
    const badly = attempt(experience);
    const recent = attempt(experience);
    experience.addFeedback(slightly, { type: "monitoring", score: 0.8 });
    expect(experience.relearningQueue()).toEqual([]);
    experience.addFeedback(badly, { type: "production", score: 0.1 });
    clock.advance(1000);
    experience.markForRelearning(recent, { reason: "new data", priority: 9 });
    experience.addFeedback(recent, { type: "human", score: 0.9 });
    experience.markForRelearning(slightly, { reason: "routine check", priority: 3 });
    // Highest priority first; among equals, the most recent feedback first.
    expect(experience.relearningQueue().map((item) => [item.id, item.priority])).toEqual([
      [recent, 9],
      [badly, 9],
      [slightly, 3],
    ]);
    const processed = await experience.processRelearning({ limit: 2 });
    expect(processed.map((item) => item.id)).toEqual([recent, badly]);
    // Re-reflected with the effective score: the "success" now reads as a failure.
    const relearned = processed[1]?.reflection;
    expect(relearned?.score).toBeCloseTo(0.1);
    expect(relearned?.helpfulStrategies).toEqual([]);
    expect(relearned?.harmfulPatterns.length).toBeGreaterThan(0);
    expect(experience.relearningQueue().map((item) => item.id)).toEqual([slightly]);
    // What the re-reflection calls harmful is counted against the helpful strategy it was before.
    const strategies = experience.playbooks.get("agent:analyst").strategies;
    expect(strategies.some((strategy) => strategy.type === "helpful" && strategy.harmfulCount > 0)).toBe(true);
    expect(strategies.some((strategy) => strategy.type === "harmful")).toBe(false);
  });
});

describe("error solutions, recommendations, trends", () => {
  it("recovers a failing function through a recorded solution in executeWithLearning", async () => {
    const experience = new Experience();
    const solution = experience.recordErrorSolution({
      errorType: "ETIMEDOUT",
      message: "query timed out after 30 s",
      approach: "add a dt partition filter",
      steps: ["filter dt = yesterday"],
    });
    const slowQuery = async (context: { solution?: { approach: string }; logStep: (step: { type: "action"; description: string; result: string }) => void }) => {
      if (context.solution === undefined) {
        const error = new Error("query timed out after 31 s") as Error & { code: string };
        error.code = "ETIMEDOUT";
        throw error;
      }
      context.logStep({ type: "action", description: context.solution.approach, result: "ok, 96 rows" });
      return 96;
    };
    const outcome = await experience.executeWithLearning({ task: "daily settled count", taskType: "sql", agentId: "analyst", fn: slowQuery });
    expect(outcome).toMatchObject({ status: "success", result: 96, recoveredWith: solution });
    expect((await experience.findSolutions({ errorType: "ETIMEDOUT", message: "timed out" }))[0]).toMatchObject({ id: solution, successes: 1 });
    expect(experience.trajectory(outcome.trajectoryId).status).toBe("success");
    expect(experience.playbooks.get("agent:analyst").strategies.map((strategy) => strategy.description)).toContain("add a dt partition filter");
    const unknown = await experience.executeWithLearning({ task: "x", fn: async () => { throw new Error("disk full"); } });
    expect(unknown).toMatchObject({ status: "failure", error: "disk full" });
  });

  it("ranks solutions by type, message similarity and past success", async () => {
    const experience = new Experience();
    const exact = experience.recordErrorSolution({ errorType: "SyntaxError", message: "unexpected token near FROM", approach: "quote the column" });
    const other = experience.recordErrorSolution({ errorType: "TypeError", message: "unexpected token near FROM", approach: "cast" });
    experience.recordErrorSolution({ errorType: "TypeError", message: "disk quota exceeded", approach: "clean up" });
    const found = await experience.findSolutions({ errorType: "SyntaxError", message: "unexpected token near SELECT" });
    expect(found.map((solution) => solution.id)).toEqual([exact, other]);
  });

  it("recommends the approach, factors and tools of similar successes", async () => {
    const experience = new Experience();
    attempt(experience);
    attempt(experience, { task: "water the plants", steps: [{ type: "action", description: "fill the can", result: "ok", tool: "can" }] });
    const advice = await experience.recommend("sum of settled revenue for yesterday", { taskType: "sql" });
    expect(advice.approach).toEqual(["filter on the dt partition column", "count only settled transactions"]);
    expect(advice.tools).toEqual(["sql"]);
    expect(advice.keySuccessFactors).toContain("count only settled transactions");
    expect(advice.confidence).toBeGreaterThan(0);
    expect((await experience.recommend("launch a rocket")).approach).toEqual([]);
  });

  it("reports trends that turn from declining to improving", () => {
    const clock = new ManualClock(0);
    const experience = new Experience({ clock });
    const run = (outcomes: string): void => {
      for (const outcome of outcomes) {
        clock.advance(1000);
        attempt(experience, { status: outcome === "1" ? "success" : "failure", ...(outcome === "1" ? {} : { error: "wrong" }) });
      }
    };
    run("11110000");
    expect(experience.trends().sql).toMatchObject({ trajectories: 8, successRate: 0.5, trend: "declining" });
    run("1111111111");
    expect(experience.trends().sql?.trend).toBe("improving");
  });
});

describe("consolidation and exports", () => {
  it("consolidates low-importance reflection memories that belong together, with a dry run first", async () => {
    const experience = new Experience();
    for (let index = 0; index < 3; index += 1) await experience.reflect(attempt(experience));
    await experience.reflect(attempt(experience, { task: "plan the team offsite", steps: [{ type: "action", description: "book a venue", result: "ok" }] }));
    const preview = await experience.consolidateReflections({ dryRun: true });
    expect(preview).toHaveLength(1);
    expect(preview[0]?.sources).toHaveLength(3);
    expect(experience.reflectionMemories()).toHaveLength(4);
    const [group] = await experience.consolidateReflections();
    expect(group?.importance).toBeCloseTo(0.5);
    const memories = experience.reflectionMemories();
    expect(memories).toHaveLength(2);
    const summary = memories.find((memory) => memory.consolidated);
    expect(summary?.sources).toEqual(group?.sources);
    expect(summary?.content).toMatch(/^Summary of 3 reflections about /);
    expect(experience.reflectionMemories({ archived: true })).toHaveLength(5);
  });

  it("exports fine-tuning JSONL, RL episodes and demonstrations", async () => {
    const experience = new Experience();
    const id = attempt(experience);
    attempt(experience, { status: "failure", error: "wrong" });
    await experience.curateFrom(id);
    const lines = experience.exportFineTuning().trim().split("\n");
    expect(lines).toHaveLength(1);
    const chat = JSON.parse(lines[0] as string) as { messages: Array<{ role: string; content: string }> };
    expect(chat.messages.map((message) => message.role)).toEqual(["system", "user", "assistant"]);
    expect(chat.messages[2]?.content).toBe("1. filter on the dt partition column\n2. count only settled transactions");
    const [episode] = experience.exportRlEpisodes();
    expect(episode?.transitions.map((transition) => [transition.action, transition.reward, transition.done])).toEqual([
      ["filter on the dt partition column", 0, false],
      ["count only settled transactions", 1, true],
    ]);
    expect(episode?.transitions[1]?.state).toBe(episode?.transitions[0]?.nextState);
    expect(experience.exportDemonstrations("agent:analyst").map((demo) => demo.strategy)).toEqual([
      "filter on the dt partition column",
      "count only settled transactions",
    ]);
  });

  it("snapshots and restores everything through a versioned schema", async () => {
    const clock = new ManualClock(5);
    const experience = new Experience({ clock });
    const id = attempt(experience);
    experience.addFeedback(id, { type: "human", score: 0.2 });
    await experience.curateFrom(id);
    experience.recordErrorSolution({ errorType: "E", message: "m", approach: "a" });
    const snapshot = JSON.parse(JSON.stringify(experience.snapshot()));
    const restored = Experience.restore(snapshot, { clock });
    expect(restored.snapshot()).toEqual(experience.snapshot());
    expect(restored.steps(id)).toEqual(experience.steps(id));
    expect(snapshot.schemaVersion).toBe(3);
    expect(() => Experience.restore({ ...snapshot, schemaVersion: 4 })).toThrow(expect.objectContaining({ code: "snapshot_version_unsupported" }));
    const [trajectory] = snapshot.trajectories;
    expect(() => Experience.restore({ ...snapshot, traces: {} })).toThrow(expect.objectContaining({ code: "snapshot_invalid", message: expect.stringContaining("no trace") }));
    expect(() => Experience.restore({ ...snapshot, trajectories: [{ ...trajectory, steps: [] }] })).toThrow(expect.objectContaining({ code: "snapshot_invalid" }));
  });
});

describe("retention", () => {
  it("keeps at most maxTrajectories, dropping the oldest with their reflections and unshared traces", async () => {
    const clock = new ManualClock(0);
    const experience = new Experience({ clock, maxTrajectories: 2 });
    const ids: string[] = [];
    for (let index = 0; index < 4; index += 1) {
      clock.advance(1000);
      const id = attempt(experience, { task: `task ${index}`, steps: [{ type: "action", description: `step ${index}`, result: "ok" }] });
      await experience.reflect(id);
      ids.push(id);
    }
    expect(experience.queryTrajectories().map((trajectory) => trajectory.id)).toEqual([ids[3], ids[2]]);
    expect(experience.traceCount).toBe(2);
    expect(experience.reflectionMemories()).toHaveLength(2);
    expect(() => experience.trajectory(ids[0] as string)).toThrow(JottyError);
  });
});
