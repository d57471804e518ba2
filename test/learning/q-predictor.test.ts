import { FakeListChatModel } from "@langchain/core/utils/testing";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  Bandit,
  CliffWalking,
  createChatModel,
  HashingEmbedder,
  JottyError,
  ManualClock,
  QPredictor,
  Q_PREDICTOR_SNAPSHOT_VERSION,
  Rng,
  type QMethod,
} from "../../src/index.js";
import { startOpenAICompatibleServer, type OpenAICompatibleServer } from "../support/openai-server.js";

const embedder = new HashingEmbedder();
const P2P_STATE = "count P2P transactions for yesterday";
const GOOD = "filter category_code = 'P2P' and dt = yesterday, count settled rows";
const BAD = "filter transaction_category like '%p2p%' and ts = yesterday, count all rows";
const ANSWER = JSON.stringify({ reasoning: "Settled P2P rows on dt match the house rules.", q_value: 0.8, confidence: 0.7, alternative_action: null });

class ThrowingChatModel extends FakeListChatModel {
  constructor() {
    super({ responses: ["unused"] });
  }

  override async _generate(): Promise<never> {
    throw new Error("connection refused");
  }
}

async function trainCliff(method: QMethod, seed: number): Promise<{ online: number; greedy: number }> {
  const q = new QPredictor({ alpha: 0.5, gamma: 1, method, epsilon: { kind: "constant", value: 0.1 } });
  const environment = new CliffWalking();
  const rng = new Rng(seed);
  const returns: number[] = [];
  for (let episode = 0; episode < 500; episode += 1) {
    let { observation: state, actions } = environment.reset(rng);
    let action = (await q.selectAction({ state, actions, rng })).action;
    let total = 0;
    for (;;) {
      const next = environment.step(action);
      total += next.reward;
      const nextAction = next.done ? undefined : (await q.selectAction({ state: next.observation, actions: next.actions, rng })).action;
      await q.update({ state, action, reward: next.reward, nextState: next.done ? null : next.observation, nextAction, nextActions: next.actions, done: next.done });
      if (next.done || nextAction === undefined) break;
      state = next.observation;
      actions = next.actions;
      action = nextAction;
    }
    q.endEpisode();
    returns.push(total);
  }
  const window = returns.slice(99);
  const evaluation = new CliffWalking({ maxSteps: 100 });
  let { observation, actions } = evaluation.reset(rng);
  let greedy = 0;
  for (;;) {
    const { action } = await q.selectAction({ state: observation, actions, rng, policy: { kind: "greedy" } });
    const next = evaluation.step(action);
    greedy += next.reward;
    if (next.done) break;
    ({ observation, actions } = next);
  }
  return { online: window.reduce((sum, value) => sum + value, 0) / window.length, greedy };
}

async function trainP2P(options: Partial<ConstructorParameters<typeof QPredictor>[0]> = {}): Promise<QPredictor> {
  const q = new QPredictor({ alpha: 0.5, gamma: 0, embedder, ...options });
  for (let round = 0; round < 5; round += 1) {
    await q.update({ state: P2P_STATE, action: GOOD, reward: 1, nextState: null, done: true });
    await q.update({ state: P2P_STATE, action: BAD, reward: 0, nextState: null, done: true });
  }
  return q;
}

describe("QPredictor as a tabular learner (Sutton & Barto Example 6.6)", () => {
  it("Q-learning averages about −50 over episodes 100–500 and its greedy path returns −13", async () => {
    const runs = await Promise.all([1, 2, 3].map((seed) => trainCliff("q-learning", seed)));
    const online = runs.reduce((sum, run) => sum + run.online, 0) / runs.length;
    expect(online).toBeGreaterThan(-60);
    expect(online).toBeLessThan(-40);
    expect(runs.map((run) => run.greedy)).toEqual([-13, -13, -13]);
  });

  it("SARSA averages about −25 to −30, better than Q-learning online", async () => {
    const runs = await Promise.all([1, 2, 3].map((seed) => trainCliff("sarsa", seed)));
    const online = runs.reduce((sum, run) => sum + run.online, 0) / runs.length;
    expect(online).toBeGreaterThan(-32);
    expect(online).toBeLessThan(-20);
  });

  it("gives an unseen pair the initial value, and does not clamp values", async () => {
    const q = new QPredictor({ alpha: 1, gamma: 1, initialValue: 3 });
    expect(await q.predict({ state: "s", action: "a" })).toEqual({ action: "a", q: 3, confidence: 0, source: "prior" });
    await q.update({ state: "s", action: "a", reward: -100, nextState: null, done: true });
    expect((await q.predict({ state: "  S ", action: "A" })).q).toBe(-100);
    const clamped = new QPredictor({ alpha: 1, gamma: 1, rewardRange: [-1, 1] });
    await clamped.update({ state: "s", action: "a", reward: -100, nextState: null, done: true });
    expect((await clamped.predict({ state: "s", action: "a" })).q).toBe(-1);
  });
});

describe("QPredictor estimates from similar pairs", () => {
  it("scores the good action higher for an unseen paraphrase of the state", async () => {
    const q = await trainP2P();
    const [good, bad] = await q.predictMany({
      state: "how many peer-to-peer transfers happened yesterday",
      actions: [GOOD, BAD],
    });
    expect(good?.source).toBe("similar");
    expect(bad?.source).toBe("similar");
    expect(good?.q).toBeGreaterThan(bad?.q as number);
    expect(good?.confidence).toBeGreaterThan(0);
    expect(good?.confidence).toBeLessThan(1);
    // Exact pairs still come from the table, whatever the spacing and case.
    expect((await q.predict({ state: `  ${P2P_STATE.toUpperCase()} `, action: GOOD })).source).toBe("table");
  });

  it("starts a new entry from the similar estimate, so learning carries over", async () => {
    const q = await trainP2P();
    const paraphrase = "how many peer-to-peer transfers happened yesterday";
    const result = await q.update({ state: paraphrase, action: GOOD, reward: 1, nextState: null, done: true });
    expect(result.previous).toBeGreaterThan(0.3);
  });

  it("falls back to the prior for a state unlike anything known", async () => {
    const q = await trainP2P();
    const [prediction] = await q.predictMany({ state: "water the office plants", actions: ["open the window"] });
    expect(prediction?.source).toBe("prior");
  });
});

describe("QPredictor with a language model", () => {
  let server: OpenAICompatibleServer;

  beforeAll(async () => {
    server = await startOpenAICompatibleServer({ chat: () => ANSWER });
  });

  afterAll(async () => {
    await server.close();
  });

  it("uses a well-formed answer (source llm) and counts the call", async () => {
    const q = new QPredictor({ alpha: 0.5, gamma: 0, llm: new FakeListChatModel({ responses: [ANSWER] }) });
    const prediction = await q.predict({ state: P2P_STATE, action: GOOD, goal: "answer the analyst" });
    expect(prediction).toMatchObject({ q: 0.8, confidence: 0.7, source: "llm", reasoning: "Settled P2P rows on dt match the house rules." });
    expect(q.llmUsage()).toMatchObject({ calls: 1, failures: 0 });
  });

  it("falls back on a throwing or malformed model without losing the update", async () => {
    for (const llm of [new ThrowingChatModel(), new FakeListChatModel({ responses: ["this is not JSON"] }), new FakeListChatModel({ responses: ['{"q_value": "high"}'] })]) {
      const q = new QPredictor({ alpha: 0.5, gamma: 0, llm });
      expect((await q.predict({ state: P2P_STATE, action: GOOD })).source).toBe("prior");
      expect(q.llmUsage()).toMatchObject({ calls: 1, failures: 1 });
      const result = await q.update({ state: P2P_STATE, action: GOOD, reward: 1, nextState: null, done: true });
      expect(result.q).toBe(0.5);
      expect((await q.predict({ state: P2P_STATE, action: GOOD })).source).toBe("table");
    }
  });

  it("stops calling a failing model for a while (circuit breaker)", async () => {
    const clock = new ManualClock(0);
    const q = new QPredictor({
      alpha: 0.5,
      gamma: 0,
      llm: new ThrowingChatModel(),
      clock,
      settings: { breaker: { failures: 2, cooldownMs: 1000 } },
    });
    for (let call = 0; call < 4; call += 1) await q.predict({ state: P2P_STATE, action: `action ${call}` });
    expect(q.llmUsage()).toMatchObject({ calls: 2, failures: 2, skipped: 2 });
    clock.advance(1000);
    await q.predict({ state: P2P_STATE, action: "after the pause" });
    expect(q.llmUsage()).toMatchObject({ calls: 3, failures: 3 });
  });

  it("talks to an OpenAI-compatible server through ChatOpenAI from the config, counting tokens", async () => {
    const llm = createChatModel({ provider: "openai", model: "tiny-chat", baseURL: server.baseURL, apiKeyEnv: "JOTTY_TEST_KEY", temperature: 0, timeoutMs: 5000, maxRetries: 0 }, {});
    const q = new QPredictor({ alpha: 0.5, gamma: 0, llm });
    const prediction = await q.predict({ state: P2P_STATE, action: GOOD });
    expect(prediction).toMatchObject({ source: "llm", q: 0.8 });
    expect(q.llmUsage()).toMatchObject({ calls: 1, failures: 0, inputTokens: 42, outputTokens: 17 });
    const request = server.requests.find((seen) => seen.path === "/v1/chat/completions");
    expect(JSON.stringify(request?.body.messages)).toContain(P2P_STATE);
  });
});

describe("QPredictor input checks", () => {
  it("rejects a non-finite reward and changes nothing", async () => {
    const q = await trainP2P();
    const before = q.snapshot();
    for (const reward of [Number.NaN, Infinity]) {
      await expect(q.update({ state: P2P_STATE, action: GOOD, reward, nextState: null, done: true })).rejects.toMatchObject({
        code: "invalid_reward",
      });
    }
    expect(q.snapshot()).toEqual(before);
  });

  it("asks SARSA for the next action and everything for a next state", async () => {
    const sarsa = new QPredictor({ alpha: 0.5, gamma: 1, method: "sarsa" });
    await expect(sarsa.update({ state: "s", action: "a", reward: 0, nextState: "t", done: false })).rejects.toThrow(/nextAction/);
    await expect(sarsa.update({ state: "s", action: "a", reward: 0, nextState: null, done: false })).rejects.toThrow(/nextState/);
    expect(sarsa.size).toBe(0);
    expect(() => new QPredictor({ alpha: 0, gamma: 1 })).toThrow(JottyError);
  });
});

describe("Monte-Carlo credit, step sizes and fading exploration", () => {
  const episode = [
    { state: "pick the date column", action: "filter dates on dt", reward: 0 },
    { state: "pick the shape", action: "one overall figure", reward: 0 },
    { state: "audit the figure", action: "accept the answer", reward: 1 },
  ];

  it("learnEpisode moves each step towards the discounted return that followed it", async () => {
    const q = new QPredictor({ alpha: 1, gamma: 0.9, method: "monte-carlo", settings: { similarity: false } });
    const results = await q.learnEpisode(episode);
    expect(results.map((result) => Number(result.target.toFixed(10)))).toEqual([0.81, 0.9, 1]);
    expect(q.entry("pick the date column", "filter dates on dt")?.value).toBeCloseTo(0.81, 10);
    // A step that earned nothing itself but led to success is a lesson learned, not one to avoid.
    expect(results[0]?.lesson?.kind).toBe("learned");
    await expect(q.learnEpisode([{ state: "s", action: "a", reward: Number.NaN }])).rejects.toThrow(JottyError);
    expect(q.entry("s", "a")).toBeUndefined();
  });

  it("replays a Monte-Carlo experience towards its return, not a one-step target", async () => {
    const q = new QPredictor({ alpha: 0.5, gamma: 1, method: "monte-carlo", settings: { similarity: false } });
    await q.learnEpisode([
      { state: "x", action: "go", reward: 0 },
      { state: "y", action: "stop", reward: 0 },
    ]);
    // Later, "stop" in y turns out well; a one-step target for x would now bootstrap from it.
    await q.update({ state: "y", action: "stop", reward: 1, nextState: null, done: true });
    const { replayed } = await q.replay(30, new Rng(3));
    expect(replayed).toBe(30);
    expect(q.entry("x", "go")?.value).toBe(0); // the episode through x returned 0
    expect(q.entry("y", "stop")?.value).toBeGreaterThan(0);
  });

  it("stepSize average keeps sample means until 1/n falls to α", async () => {
    const returns = [1, 0, 1, 1];
    const average = new QPredictor({ alpha: 0.1, gamma: 0, settings: { similarity: false, stepSize: "average" } });
    const constant = new QPredictor({ alpha: 0.1, gamma: 0, settings: { similarity: false } });
    for (const reward of returns) {
      for (const q of [average, constant]) await q.update({ state: "s", action: "a", reward, nextState: null, done: true });
    }
    expect(average.entry("s", "a")?.value).toBeCloseTo(0.75, 10);
    expect(constant.entry("s", "a")?.value).toBeCloseTo(0.1 * 0.9 ** 3 + 0.1 * 0.9 + 0.1, 10);
    const floor = new QPredictor({ alpha: 0.5, gamma: 0, settings: { similarity: false, stepSize: "average" } });
    for (const reward of [0, 0, 0, 1]) await floor.update({ state: "s", action: "a", reward, nextState: null, done: true });
    expect(floor.entry("s", "a")?.value).toBeCloseTo(0.5, 10); // the 4th step is α = 0.5, not 1/4
  });

  it("UCB1 with decay explores less as episodes pass", async () => {
    const policy = { kind: "ucb1", c: 2, decay: 0.5 } as const;
    const q = new QPredictor({ alpha: 1, gamma: 0, settings: { similarity: false, policy } });
    for (let index = 0; index < 10; index += 1) await q.update({ state: "s", action: "known", reward: 0.6, nextState: null, done: true });
    await q.update({ state: "s", action: "rare", reward: 0.5, nextState: null, done: true });
    const choose = async () => (await q.selectAction({ state: "s", actions: ["known", "rare"], rng: new Rng(1) })).action;
    expect(await choose()).toBe("rare"); // 0.5 + 2·√(ln 11 / 1) beats 0.6 + 2·√(ln 11 / 10)
    for (let index = 0; index < 6; index += 1) q.endEpisode();
    expect(await choose()).toBe("known"); // c = 2 · 0.5⁶: the bonus no longer outweighs 0.1
  });
});

describe("replay, lessons and tiers", () => {
  it("replays high-priority experiences more often (fixed seed)", async () => {
    const q = new QPredictor({ alpha: 0.1, gamma: 0 });
    await q.update({ state: "s", action: "surprising", reward: 10, nextState: null, done: true });
    for (let index = 0; index < 9; index += 1) await q.update({ state: `s${index}`, action: "dull", reward: 0, nextState: null, done: true });
    const draws = q.sampleExperiences(2000, new Rng(5));
    const share = draws.filter((draw) => draw.action === "surprising").length / draws.length;
    const expected = 10.01 ** 0.6 / (10.01 ** 0.6 + 9 * 0.01 ** 0.6);
    expect(share).toBeCloseTo(expected, 1);
    expect(share).toBeGreaterThan(0.5);
    const high = draws.find((draw) => draw.action === "surprising");
    const low = draws.find((draw) => draw.action === "dull");
    expect(high?.weight).toBeLessThan(low?.weight as number);
    const before = (await q.predict({ state: "s", action: "surprising" })).q;
    const replay = await q.replay(8, new Rng(6));
    expect(replay.replayed).toBe(8);
    expect((await q.predict({ state: "s", action: "surprising" })).q).toBeGreaterThan(before);
  });

  it("draws lessons from TD errors, one per kind, counted when they recur", async () => {
    const q = new QPredictor({ alpha: 0.5, gamma: 0, rewardRange: [0, 1] });
    const first = await q.update({ state: P2P_STATE, action: GOOD, reward: 1, nextState: null, done: true });
    expect(first.lesson).toMatchObject({ kind: "learned", count: 1 });
    expect(first.lesson?.text).toContain(`LEARNED: "${GOOD}" works when ${P2P_STATE}`);
    const second = await q.update({ state: P2P_STATE, action: GOOD, reward: 1, nextState: null, done: true });
    expect(second.lesson).toMatchObject({ kind: "learned", count: 2 });
    const surprise = await q.update({ state: "s", action: "a", reward: 0.5, nextState: null, done: true });
    expect(surprise.lesson).toMatchObject({ kind: "discovery" }); // middling reward, δ = +0.5
    const quiet = await q.update({ state: "t", action: "a", reward: 0.05, nextState: null, done: true });
    expect(quiet.lesson).toBeUndefined(); // |δ| ≤ 0.1
    for (let round = 0; round < 6; round += 1) await q.update({ state: P2P_STATE, action: GOOD, reward: 1, nextState: null, done: true });
    expect(q.entry(P2P_STATE, GOOD)?.lessons).toHaveLength(1);
  });

  it("ranks entries into tiers, renders the learned context, promotes and prunes", async () => {
    const q = new QPredictor({
      alpha: 0.5,
      gamma: 0,
      embedder,
      rewardRange: [0, 1],
      // Kernel estimates start each new action at 0, so every update is surprising enough to leave a lesson.
      settings: { estimator: "kernel", tiers: { tier1: 2, tier2: 2, promoteAfter: 3, promoteCount: 1, pruneAfter: 5 } },
    });
    const states = ["count refunds today", "sum merchant payments", "average ATM withdrawal", "count P2P transactions for yesterday", "list failed bills", "top channels by volume"];
    for (const [index, state] of states.entries()) {
      await q.update({ state, action: `answer ${index}`, reward: index / 5, nextState: null, done: true });
    }
    q.endEpisode({ return: 1 });
    const tiers = q.list().map((entry) => entry.tier).sort();
    expect(tiers).toEqual([1, 1, 2, 2, 3, 3]);
    const context = await q.getLearnedContext({ state: "count P2P transactions for yesterday", goal: "answer analysts", maxTokens: 400 });
    expect(context).toContain("Goal: answer analysts");
    expect(context).toMatch(/Lessons:\n- /);
    expect(context).toMatch(/Best-known values:\n- Q=/);
    expect(context).toContain("Other actions, on average:");
    expect((await q.getLearnedContext({ state: "x", maxTokens: 10 })).length).toBeLessThanOrEqual(40);
    let promoted = 0;
    for (let episode = 0; episode < 3; episode += 1) promoted += q.endEpisode({ return: 0 }).promoted;
    expect(promoted).toBe(1);
    let pruned = 0;
    for (let episode = 0; episode < 8; episode += 1) pruned += q.endEpisode({ return: 0 }).pruned;
    expect(pruned).toBeGreaterThan(0);
    expect(q.size).toBe(6 - pruned);
  });
});

describe("calibration", () => {
  it("is better (lower Brier score) for a predictor trained on a bandit than for an untrained one", async () => {
    const bandit = new Bandit({ arms: 5, means: [-1, -0.5, 0, 0.5, 1], stdDev: 0.5 });
    const rng = new Rng(11);
    const trained = new QPredictor({ alpha: 0.1, gamma: 0, rewardRange: [-2.5, 2.5] });
    const untrained = new QPredictor({ alpha: 0.1, gamma: 0, rewardRange: [-2.5, 2.5] });
    for (let pull = 0; pull < 1000; pull += 1) {
      const { observation, actions } = bandit.reset(rng);
      const action = rng.choice(actions);
      const { reward } = bandit.step(action);
      await trained.update({ state: observation, action, reward, nextState: null, done: true });
      trained.endEpisode();
    }
    const samples: Array<{ state: string; action: string; return: number }> = [];
    for (let pull = 0; pull < 500; pull += 1) {
      const { observation, actions } = bandit.reset(rng);
      const action = rng.choice(actions);
      samples.push({ state: observation, action, return: bandit.step(action).reward });
    }
    const good = await trained.calibration(samples);
    const poor = await untrained.calibration(samples);
    expect(good.samples).toBe(500);
    expect(good.brierScore).toBeLessThan(poor.brierScore * 0.8);
    // A constant prediction at the mean is calibrated on average, so ECE alone cannot tell them apart.
    expect(good.expectedCalibrationError).toBeLessThan(0.05);
    expect(good.bins.reduce((sum, bin) => sum + bin.count, 0)).toBe(500);
    // Without samples it reads the (prediction, return) pairs of past episodes.
    expect((await trained.calibration()).samples).toBe(1000);
  });
});

describe("snapshots", () => {
  it("round-trip through JSON and predict identically (property test)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            state: fc.constantFrom("count refunds", "sum payments", "list merchants", "average amount"),
            action: fc.constantFrom("use dt", "use ts", "filter settled", "group by day"),
            reward: fc.double({ min: -5, max: 5, noNaN: true }),
            done: fc.boolean(),
            endEpisode: fc.boolean(),
          }),
          { minLength: 1, maxLength: 25 },
        ),
        fc.constantFrom<QMethod>("q-learning", "sarsa", "expected-sarsa"),
        async (steps, method) => {
          const q = new QPredictor({ alpha: 0.3, gamma: 0.9, method, embedder });
          for (const step of steps) {
            await q.update({
              state: step.state,
              action: step.action,
              reward: step.reward,
              nextState: step.done ? null : "sum payments",
              nextAction: "use dt",
              nextActions: ["use dt", "use ts"],
              done: step.done,
            });
            if (step.endEpisode) q.endEpisode();
          }
          const restored = await QPredictor.restore(JSON.parse(JSON.stringify(q.snapshot())), { alpha: 0.3, gamma: 0.9, method, embedder });
          expect(restored.snapshot()).toEqual(q.snapshot());
          const query = { state: "count the refunds", actions: ["use dt", "filter settled rows"] };
          expect(await restored.predictMany(query)).toEqual(await q.predictMany(query));
        },
      ),
      { numRuns: 30 },
    );
  });

  it("refuses a newer or malformed snapshot", async () => {
    const snapshot = new QPredictor({ alpha: 0.1, gamma: 1 }).snapshot();
    await expect(QPredictor.restore({ ...snapshot, schemaVersion: Q_PREDICTOR_SNAPSHOT_VERSION + 1 })).rejects.toMatchObject({ code: "snapshot_version_unsupported" });
    await expect(QPredictor.restore({ ...snapshot, entries: [{}] })).rejects.toMatchObject({ code: "snapshot_invalid" });
  });
});

describe("snapshots hold learned data only", () => {
  it("a restored predictor runs with the settings it is given (α 0.1, UCB1), not those it was trained with (α 0.5, ε-greedy)", async () => {
    const trained = new QPredictor({ alpha: 0.5, gamma: 0, settings: { policy: { kind: "epsilon-greedy", epsilon: 0 } } });
    await trained.update({ state: "s", action: "a", reward: 1, nextState: null, done: true });
    expect(trained.entry("s", "a")?.value).toBe(0.5);
    // ε-greedy with ε 0 takes the best-valued action.
    expect((await trained.selectAction({ state: "s", actions: ["a", "b"], rng: new Rng(1) })).action).toBe("a");
    const snapshot: unknown = JSON.parse(JSON.stringify(trained.snapshot()));
    expect(Object.keys(snapshot as object).sort()).toEqual(["buffer", "calibration", "embedder", "entries", "episode", "progress", "schemaVersion", "usage"]);

    const restored = await QPredictor.restore(snapshot, { alpha: 0.1, gamma: 0, settings: { policy: { kind: "ucb1" } } });
    expect(restored.entry("s", "a")?.value).toBe(0.5);
    expect([restored.alpha, restored.settings.policy.kind]).toEqual([0.1, "ucb1"]);
    // UCB1 tries the untried action first, whatever the draw; ε-greedy with ε 0 would take "a" again.
    for (const seed of [1, 2, 3]) expect((await restored.selectAction({ state: "s", actions: ["a", "b"], rng: new Rng(seed) })).action).toBe("b");
    // α 0.1 moves 0.5 to 0.5 + 0.1·(1 − 0.5) = 0.55; α 0.5 would have made it 0.75.
    expect((await restored.update({ state: "s", action: "a", reward: 1, nextState: null, done: true })).q).toBeCloseTo(0.55, 12);
  });
});

describe("selectAction", () => {
  it("tries untried actions first with UCB1 and samples by value with softmax", async () => {
    const q = new QPredictor({ alpha: 0.5, gamma: 0 });
    await q.update({ state: "s", action: "a", reward: 1, nextState: null, done: true });
    const rng = new Rng(3);
    expect((await q.selectAction({ state: "s", actions: ["a", "b"], rng, policy: { kind: "ucb1" } })).action).toBe("b");
    let picksA = 0;
    for (let draw = 0; draw < 400; draw += 1) {
      if ((await q.selectAction({ state: "s", actions: ["a", "b"], rng, policy: { kind: "softmax", temperature: 0.2 } })).action === "a") picksA += 1;
    }
    expect(picksA / 400).toBeGreaterThan(0.8);
  });
});
