import { describe, expect, it } from "vitest";
import { caseEstimate } from "../../src/learning/case-estimate.js";
import { FakeListChatModel } from "@langchain/core/utils/testing";
import { HashingEmbedder, QPredictor } from "../../src/index.js";

describe("caseEstimate", () => {
  it("is the middle of the range with no case, and moves towards what the nearest cases gave", () => {
    expect(caseEstimate([], { closest: 0.8, temperature: 0.05 })).toEqual({ value: 0.5, evidence: 0 });
    const worked = caseEstimate([{ similarity: 0.8, visits: 3, value: 1 }], { closest: 0.8, temperature: 0.05 });
    expect(worked.value).toBeCloseTo(3.5 / 4);
    expect(worked.evidence).toBeCloseTo(3);
    const failed = caseEstimate([{ similarity: 0.8, visits: 1, value: 0 }], { closest: 0.8, temperature: 0.05 });
    expect(failed.value).toBeCloseTo(0.25);
  });

  it("lets the nearest cases decide: a case far below the closest situation barely counts, and beyond four temperatures not at all", () => {
    const near = { similarity: 0.8, visits: 1, value: 0 };
    const far = { similarity: 0.7, visits: 1, value: 1 };
    const both = caseEstimate([near, far], { closest: 0.8, temperature: 0.05 });
    const weight = Math.exp(-0.1 / 0.05);
    expect(both.value).toBeCloseTo((weight + 0.5) / (1 + weight + 1));
    expect(caseEstimate([near, { ...far, similarity: 0.55 }], { closest: 0.8, temperature: 0.05 })).toEqual({ value: 0.25, evidence: 1 });
  });
});

describe("QPredictor with case-based estimates (the default)", () => {
  const tools = ["use weather", "use calendar", "use email"];

  async function trained(estimator: "cases" | "kernel"): Promise<QPredictor> {
    const q = new QPredictor({ alpha: 1, gamma: 0, method: "monte-carlo", embedder: new HashingEmbedder(), settings: { estimator, stepSize: "average" } });
    // In one weather request the calendar was tried and failed; in another, weather worked.
    await q.learnEpisode([{ state: "Will it rain in Lisbon tomorrow?", action: "use calendar", reward: 0 }]);
    await q.learnEpisode([{ state: "Will it rain in Oslo tomorrow?", action: "use weather", reward: 1 }]);
    await q.learnEpisode([{ state: "Schedule a meeting with Ana on Friday.", action: "use calendar", reward: 1 }]);
    return q;
  }

  it("ranks, for a new wording, what worked in like requests above the untried, and the untried above what failed there", async () => {
    const q = await trained("cases");
    const [weather, calendar, email] = await q.predictMany({ state: "Will it rain in Nairobi tomorrow?", actions: tools });
    expect(weather?.source).toBe("similar");
    expect(weather?.q).toBeGreaterThan(email?.q as number);
    expect(email?.q).toBeGreaterThan(calendar?.q as number);
    // The untried action has no evidence behind it.
    expect(email?.evidence).toBe(0);
    expect(weather?.evidence).toBeGreaterThan(0);
  });

  it("leans, where nothing was tried, towards the candidate whose text is like the request, and not at all with textPrior 0", async () => {
    const q = new QPredictor({ alpha: 1, gamma: 0, method: "monte-carlo", embedder: new HashingEmbedder(), settings: { stepSize: "average" } });
    await q.learnEpisode([{ state: "Will it rain in Lisbon tomorrow?", action: "use music: songs and playlists", reward: 0 }]);
    const actions = ["use calendar: meetings and appointments", "use weather: forecasts, temperature and rain", "use email: messages"];
    const [calendar, weather, email] = await q.predictMany({ state: "Will it rain in Oslo tomorrow?", actions });
    expect(weather?.q).toBeGreaterThan(calendar?.q as number);
    expect(weather?.q).toBeGreaterThan(email?.q as number);
    const flat = new QPredictor({ alpha: 1, gamma: 0, method: "monte-carlo", embedder: new HashingEmbedder(), settings: { stepSize: "average", textPrior: 0 } });
    await flat.learnEpisode([{ state: "Will it rain in Lisbon tomorrow?", action: "use music: songs and playlists", reward: 0 }]);
    const values = (await flat.predictMany({ state: "Will it rain in Oslo tomorrow?", actions })).map((prediction) => prediction.q);
    expect(new Set(values).size).toBe(1);
  });

  it("asks a configured model only for an action with no case nearby, and only where the model may be asked", async () => {
    const answer = JSON.stringify({ reasoning: "emails are unrelated", q_value: 0.05, confidence: 0.6, alternative_action: null });
    const q = new QPredictor({ alpha: 1, gamma: 0, method: "monte-carlo", embedder: new HashingEmbedder(), llm: new FakeListChatModel({ responses: [answer] }), settings: { stepSize: "average" } });
    await q.learnEpisode([{ state: "Will it rain in Lisbon tomorrow?", action: "use weather", reward: 1 }]);
    const state = "Will it rain in Oslo tomorrow?";
    const [weather, email] = await q.predictMany({ state, actions: ["use weather", "use email"] });
    expect(weather?.source).toBe("similar");
    expect(email).toMatchObject({ source: "llm", q: 0.05 });
    // Choosing never calls the model: the untried action gets the case estimate, as without one.
    const offline = await q.predictMany({ state, actions: ["use weather", "use email"], useLlm: false });
    expect(offline[1]).toMatchObject({ source: "similar", evidence: 0 });
    expect(q.llmUsage().calls).toBe(1);
  });

  it("does not let the calendar's success on meetings lift it for a weather request", async () => {
    const q = await trained("cases");
    const [, calendar] = await q.predictMany({ state: "Will it rain in Denver tomorrow?", actions: tools });
    expect(calendar?.q).toBeLessThan(0.5);
  });
});
