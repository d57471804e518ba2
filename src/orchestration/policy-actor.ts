import { CONFIG_DEFAULTS } from "../config/index.js";
import type { Policy } from "../learning/index.js";
import { BaseActor, type ActorContext, type ActorDecision, type ActorIdentity } from "./actor.js";
import { memoryPrior } from "./memory-prior.js";

/** Options of {@link PolicyActor}. */
export interface PolicyActorOptions extends ActorIdentity {
  /** How to choose; the Q-predictor's configured policy when absent. */
  policy?: Policy;
  /** Value bonus (× similarity) for the action a similar past success took, in MIXED mode. @default 0.5 */
  hintBonus?: number;
  /** Weight of the prior from the actor's recalled memories ({@link memoryPrior}); 0 ignores memory. @default 0.3 */
  memoryWeight?: number;
}

/**
 * Chooses among the candidate actions by their predicted values with the configured policy
 * (ε-greedy, softmax, UCB1), leaning on what its recalled memories learned ({@link memoryPrior}):
 * the offline default, needing no model.
 */
export class PolicyActor extends BaseActor {
  private readonly policy: Policy | undefined;
  private readonly hintBonus: number;
  private readonly memoryWeight: number;

  constructor(options: PolicyActorOptions) {
    super(options);
    this.policy = options.policy;
    this.hintBonus = options.hintBonus ?? CONFIG_DEFAULTS.conductor.executionModes.mixedBonus;
    this.memoryWeight = options.memoryWeight ?? CONFIG_DEFAULTS.conductor.memoryPrior;
  }

  override async act(context: ActorContext): Promise<ActorDecision> {
    const before = context.q.llmUsage();
    // What the actor's memories learned leans the values of the options they name.
    const prior = memoryPrior({ memories: context.localMemories, actions: context.actions, weight: this.memoryWeight, memoryName: context.localMemory.name });
    const bonuses = { ...prior.bonuses };
    if (context.hint !== undefined) bonuses[context.hint.action] = (bonuses[context.hint.action] ?? 0) + this.hintBonus * context.hint.similarity;
    const { action, predictions, index } = await context.q.selectAction({
      state: context.observation,
      actions: context.actions,
      rng: context.rng,
      // With a model configured, pairs nothing near is known about are valued by it.
      useLlm: true,
      ...(context.explore ? (this.policy === undefined ? {} : { policy: this.policy }) : { policy: { kind: "greedy" } }),
      ...(Object.keys(bonuses).length === 0 ? {} : { bonuses }),
    });
    const chosen = predictions[index];
    const after = context.q.llmUsage();
    const llmCalls = after.calls - before.calls;
    const tokens = after.inputTokens + after.outputTokens - before.inputTokens - before.outputTokens;
    const memoryBonus = prior.bonuses[action];
    return {
      action,
      reasoning: `predicted value ${chosen?.q.toFixed(3)} (${chosen?.source})${memoryBonus === undefined ? "" : `, memory ${memoryBonus >= 0 ? "+" : ""}${memoryBonus.toFixed(3)}`}`,
      ...(llmCalls === 0 ? {} : { llmCalls, tokens }),
      ...(prior.used.length === 0 ? {} : { memories: prior.used }),
    };
  }
}
