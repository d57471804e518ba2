import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { LLM_DEFAULTS, type JottyConfig } from "../config/index.js";
import { JottyError } from "../errors/index.js";
import type { CircuitBreaker } from "../llm/index.js";
import type { Actor } from "./actor.js";
import { LLMActor } from "./llm-actor.js";
import { PolicyActor } from "./policy-actor.js";

/**
 * The team of a run: the actors handed in, or those `config.actors` describes (LLM actors
 * share the model and its breaker), without those `actorOverrides` leave out.
 *
 * @throws JottyError `config_invalid` for an LLM actor without a model, an empty team,
 *   names that repeat, or a name that cannot name a memory file.
 */
export function buildTeam({
  config,
  actors,
  llm,
  modelBreaker,
}: {
  config: JottyConfig;
  actors: readonly Actor[] | undefined;
  llm: BaseChatModel | undefined;
  modelBreaker: CircuitBreaker | undefined;
}): Actor[] {
  const enabled = (name: string): boolean => config.actorOverrides[name]?.enabled !== false;
  const team =
    actors ??
    config.actors.filter((actor) => enabled(actor.name)).map((actor) => {
      if (actor.kind === "llm") {
        if (llm === undefined) {
          throw new JottyError({
            code: "config_invalid",
            message: `Actor "${actor.name}" is an LLM actor but no model is configured; add an llm section to the config or pass llm.`,
          });
        }
        return new LLMActor({ ...actor, model: llm, ...(modelBreaker === undefined ? {} : { modelBreaker }), maxRetries: (config.llm ?? LLM_DEFAULTS).maxRetries, timeoutMs: (config.llm ?? LLM_DEFAULTS).timeoutMs });
      }
      return new PolicyActor({ ...actor, hintBonus: config.conductor.executionModes.mixedBonus, memoryWeight: config.conductor.memoryPrior });
    });
  // Actors handed in are left out by their overrides too.
  const chosen = team.filter((actor) => enabled(actor.name));
  if (chosen.length === 0) throw new JottyError({ code: "config_invalid", message: "A Conductor needs at least one actor." });
  if (new Set(chosen.map((actor) => actor.name)).size !== chosen.length) throw new JottyError({ code: "config_invalid", message: "Actor names must be unique." });
  // An actor's name names its memory's file in every saved run: it must be a plain file name.
  for (const actor of chosen) {
    if (typeof actor.name !== "string" || !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(actor.name) || actor.name.length > 100) {
      throw new JottyError({
        code: "config_invalid",
        message: `Actor name ${JSON.stringify(actor.name)} cannot be used: names are letters, digits, '.', '_' and '-' (starting with a letter or digit, at most 100), since each actor's memory is saved under its name.`,
      });
    }
  }
  return chosen;
}
