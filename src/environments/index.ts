export { parseEnvironmentOptions, TextEnvironment } from "./environment.js";
export type {
  Environment,
  EnvironmentInfo,
  EnvironmentReset,
  EnvironmentStep,
  MaybePromise,
  ResetOptions,
} from "./environment.js";
export { RandomWalk, RandomWalkOptionsSchema } from "./random-walk.js";
export type { RandomWalkOptions } from "./random-walk.js";
export { CliffWalking, CliffWalkingOptionsSchema } from "./cliff-walking.js";
export type { CliffWalkingOptions } from "./cliff-walking.js";
export { Bandit, BanditOptionsSchema } from "./bandit.js";
export type { BanditOptions } from "./bandit.js";
export { ToolRouter, ToolRouterOptionsSchema, TOOL_ROUTER_CHANCE } from "./tool-router.js";
export type { ToolRequest, ToolRouterOptions } from "./tool-router.js";
export { createEnvironment, environmentNames, registerEnvironment } from "./create-environment.js";
export type { EnvironmentFactory } from "./create-environment.js";
export {
  composeSql,
  goldDecisions,
  knownRules,
  parseTasksJsonl,
  SqlAnalyst,
  SqlAnalystOptionsSchema,
  SqlTaskSchema,
} from "./sql-analyst/index.js";
export type { Decisions, Intent, KnownRule, SqlAnalystOptions, SqlTask } from "./sql-analyst/index.js";
