import { JottyError } from "../errors/index.js";
import { Bandit, type BanditOptions } from "./bandit.js";
import { CliffWalking, type CliffWalkingOptions } from "./cliff-walking.js";
import type { Environment } from "./environment.js";
import { RandomWalk, type RandomWalkOptions } from "./random-walk.js";
import { SqlAnalyst, type SqlAnalystOptions } from "./sql-analyst/index.js";
import { ToolRouter, type ToolRouterOptions } from "./tool-router.js";

/**
 * Builds one kind of environment from the options a user wrote; it validates them itself
 * (see `parseEnvironmentOptions`) and throws a JottyError on bad ones.
 */
export type EnvironmentFactory = (options: unknown) => Environment;

const registry = new Map<string, EnvironmentFactory>([
  ["random-walk", (options) => new RandomWalk(options as RandomWalkOptions)],
  ["cliff-walking", (options) => new CliffWalking(options as CliffWalkingOptions)],
  ["bandit", (options) => new Bandit(options as BanditOptions)],
  ["sql-analyst", (options) => new SqlAnalyst(options as SqlAnalystOptions)],
  ["tool-router", (options) => new ToolRouter(options as ToolRouterOptions)],
]);

/**
 * Adds an environment under `name`, so configs and `createEnvironment` can use it.
 *
 * @throws JottyError `invalid_argument` when the name is taken.
 */
export function registerEnvironment(name: string, factory: EnvironmentFactory): void {
  if (registry.has(name)) {
    throw new JottyError({
      code: "invalid_argument",
      message: `An environment named "${name}" is already registered; pick another name.`,
      details: { name },
    });
  }
  registry.set(name, factory);
}

/** Names of every registered environment. */
export function environmentNames(): string[] {
  return [...registry.keys()].sort();
}

/**
 * Builds a registered environment from its name and options.
 *
 * @param name - `random-walk`, `cliff-walking`, `bandit`, `sql-analyst`, `tool-router`, or a registered name.
 * @param options - that environment's options; see its schema. @default {}
 * @throws JottyError `unknown_environment` for an unknown name, `invalid_argument` for bad options.
 *
 * @example
 * ```ts
 * const cliff = createEnvironment("cliff-walking", { maxSteps: 1000 });
 * const { observation, actions } = await cliff.reset(new Rng(1));
 * ```
 */
export function createEnvironment(name: string, options: unknown = {}): Environment {
  const factory = registry.get(name);
  if (factory === undefined) {
    throw new JottyError({
      code: "unknown_environment",
      message: `No environment named "${name}"; choose one of: ${environmentNames().join(", ")}.`,
      details: { name, known: environmentNames() },
    });
  }
  return factory(options);
}
