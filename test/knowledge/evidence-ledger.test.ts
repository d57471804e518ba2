import { describe, expect, it } from "vitest";
import {
  attributeOutcomes,
  decisionPointOf,
  deriveCauses,
  deriveMeta,
  deriveProcedures,
  DecisionEvidence,
  lessonsOfPoint,
  type DecisionPoint,
  type KnowledgeView,
} from "../../src/knowledge/index.js";
import { Rng } from "../../src/util/index.js";

/** Six decision points of two or three options; the first option of each is the right one. */
const POINTS: DecisionPoint[] = Array.from({ length: 6 }, (_, index) =>
  decisionPointOf({
    observation: `Step ${index}: which way?`,
    actions: index % 2 === 0 ? ["right", "wrong", "odd"] : ["right", "wrong"],
    info: { decision: `d${index % 4}`, situation: `situation ${index}` },
  }) as DecisionPoint,
);

/** What the evidence derives, computed from its whole history at once (the reference). */
function fromScratch(evidence: DecisionEvidence): Omit<KnowledgeView, "attribution"> & { attribution: unknown } {
  const { episodes, points: pointList } = evidence.snapshot();
  const points = new Map(pointList.map((point) => [point.key, point]));
  const attribution = attributeOutcomes(episodes);
  const pointsByTask = new Map<string, Set<string>>();
  for (const episode of episodes) {
    const set = pointsByTask.get(episode.taskType) ?? new Set<string>();
    for (const decision of episode.decisions) set.add(decision.point);
    pointsByTask.set(episode.taskType, set);
  }
  return {
    attribution: { options: attribution.options, proven: attribution.proven, failures: attribution.failures.map((failure) => ({ episode: failure.episode.episode, blamed: failure.blamed })) },
    lessons: [...points.values()].flatMap((point) => lessonsOfPoint(point, attribution.options.get(point.key) ?? new Map())).sort((a, b) => b.confidence - a.confidence || a.text.localeCompare(b.text)),
    procedures: deriveProcedures(episodes, points),
    causes: deriveCauses(episodes, attribution, points),
    meta: deriveMeta(attribution, points),
    pointsByTask,
    unprovenPoints: new Set([...attribution.options].filter(([key, options]) => ![...options.keys()].some((option) => attribution.proven.has(`${key}\u0000${option}`))).map(([key]) => key)),
  };
}

/** The evidence's own view in the reference's shape. */
function kept(evidence: DecisionEvidence): ReturnType<typeof fromScratch> {
  const view = evidence.knowledge();
  const { options, proven, failures } = view.attribution;
  return { ...view, attribution: { options, proven, failures: failures.map((failure) => ({ episode: failure.episode.episode, blamed: failure.blamed })) } };
}

/**
 * Episodes of a team that learns: each decision is right with a probability that grows with
 * the episode, and an episode succeeds only when all its decisions are right (now and then
 * by luck anyway, so a wrong option is proven and later unproven again).
 */
function record(evidence: DecisionEvidence, rng: Rng, episode: number): void {
  const chosen = POINTS.filter(() => rng.next() < 0.7).map((point) => {
    const right = rng.next() < Math.min(0.9, 0.4 + episode / 150);
    return { point, chosen: right ? "right" : (point.options[rng.int(1, point.options.length - 1)] as string) };
  });
  const allRight = chosen.every((decision) => decision.chosen === "right");
  const success = allRight ? rng.next() < 0.9 : rng.next() < 0.08;
  evidence.record({
    episode,
    taskType: rng.next() < 0.5 ? "sum" : "count",
    success,
    return: success ? 1 : -rng.int(1, 3),
    outcome: success ? "right" : rng.next() < 0.5 ? "The answer was wrong." : "The query failed.",
    decisions: chosen,
  });
}

describe("EvidenceLedger", () => {
  it("keeps the attribution, lessons, procedures, causes and meta statements equal to computing them from the whole history, episode by episode", () => {
    for (const seed of [1, 2, 3]) {
      // A short window, so old episodes leave and take their evidence with them.
      const evidence = new DecisionEvidence({ maxEpisodes: 60 });
      const rng = new Rng(seed);
      for (let episode = 0; episode < 200; episode += 1) {
        record(evidence, rng, episode);
        expect(kept(evidence), `seed ${seed}, episode ${episode}`).toEqual(fromScratch(evidence));
      }
      expect(evidence.size).toBe(60);
      expect(evidence.knowledge().causes.length + evidence.knowledge().procedures.length).toBeGreaterThan(0);
    }
  });

  it("restores to the same view and goes on equal to the reference", () => {
    const evidence = new DecisionEvidence({ maxEpisodes: 80 });
    const rng = new Rng(9);
    for (let episode = 0; episode < 120; episode += 1) record(evidence, rng, episode);
    const copy = new DecisionEvidence({ maxEpisodes: 80 });
    copy.restoreState(structuredClone(evidence.snapshot()));
    expect(kept(copy)).toEqual(kept(evidence));
    for (let episode = 120; episode < 160; episode += 1) {
      const state = rng.state();
      record(evidence, rng, episode);
      record(copy, Rng.fromState(state), episode);
      expect(kept(copy)).toEqual(fromScratch(copy));
    }
    expect(kept(copy)).toEqual(kept(evidence));
  });

  it("sees a point whose only proven option left the window as unproven again", () => {
    const evidence = new DecisionEvidence({ maxEpisodes: 4 });
    const [first, second] = POINTS as [DecisionPoint, DecisionPoint];
    const episode = (index: number, success: boolean, chosen: string) =>
      evidence.record({ episode: index, taskType: "sum", success, return: success ? 1 : 0, outcome: success ? "right" : "wrong", decisions: [{ point: first, chosen }, { point: second, chosen: "right" }] });
    episode(0, true, "odd");
    expect(evidence.knowledge().unprovenPoints.has(first.key)).toBe(false);
    for (let index = 1; index <= 4; index += 1) episode(index, false, "right");
    // "odd" left with the first episode: nothing at the first point is proven now.
    expect(evidence.knowledge().unprovenPoints.has(first.key)).toBe(true);
    expect(kept(evidence)).toEqual(fromScratch(evidence));
  });
});
