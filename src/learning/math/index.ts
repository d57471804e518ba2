export { tdError } from "./td-error.js";
export type { TdErrorInput } from "./td-error.js";
export { eligibilityTrace } from "./eligibility-trace.js";
export type { EligibilityTraceInput, EligibilityTraceKind } from "./eligibility-trace.js";
export {
  epsilonGreedyProbabilities,
  expectedSarsaTarget,
  qLearningTarget,
  qUpdate,
  sarsaTarget,
} from "./q-targets.js";
export type { ExpectedSarsaTargetInput, QLearningTargetInput, SarsaTargetInput } from "./q-targets.js";
export { greedy } from "./greedy.js";
export { epsilonGreedy } from "./epsilon-greedy.js";
export { softmax, softmaxProbabilities } from "./softmax.js";
export { ucb1 } from "./ucb1.js";
export type { Ucb1Input } from "./ucb1.js";
export { epsilonAt } from "./epsilon-schedule.js";
export type { EpsilonSchedule } from "./epsilon-schedule.js";
export { wilsonInterval } from "./wilson-interval.js";
export type { WilsonIntervalInput } from "./wilson-interval.js";
export { betaSample } from "./beta-sample.js";
