import type { Runnable } from "@langchain/core/runnables";
import { JottyError } from "../errors/index.js";
import { BaseActor, type ActorContext, type ActorDecision, type ActorIdentity } from "./actor.js";

/** What a {@link RunnableActor} wraps: a LangChain Runnable or an async function of the context. */
export type ActorFunction =
  | Runnable<ActorContext, ActorDecision | string>
  | ((context: ActorContext) => Promise<ActorDecision | string> | ActorDecision | string);

/** Options of {@link RunnableActor}. */
export interface RunnableActorOptions extends ActorIdentity {
  run: ActorFunction;
}

/** An actor from any LangChain `Runnable` or function; a returned string is the action. */
export class RunnableActor extends BaseActor {
  private readonly run: ActorFunction;

  constructor(options: RunnableActorOptions) {
    super(options);
    this.run = options.run;
  }

  override async act(context: ActorContext): Promise<ActorDecision> {
    const result = typeof this.run === "function" ? await this.run(context) : await this.run.invoke(context);
    const decision = typeof result === "string" ? { action: result } : result;
    if (typeof decision?.action !== "string") {
      throw new JottyError({
        code: "invalid_action",
        message: `Actor "${this.name}" returned no action; return a string or { action }.`,
      });
    }
    return decision;
  }
}
