import type { DecisionEvidence } from "../knowledge/index.js";
import { itemId, type HierarchicalMemory } from "../memory/index.js";

/**
 * Writes what the evidence says about one episode's task into the shared memory, in place (one
 * keyed item each): PROCEDURAL, the task type's procedure; META, what decides its failures;
 * CAUSAL, each cause this episode met, linked to its effect, the link strengthened when this
 * episode is explained by it and weakened when it succeeded with it. Knowledge the evidence no
 * longer supports is removed.
 */
export async function writeKnowledgeMemories({
  memory,
  evidence,
  taskType,
  decisions,
  success,
  blamed,
}: {
  memory: HierarchicalMemory;
  evidence: DecisionEvidence;
  taskType: string;
  decisions: ReadonlyArray<{ point: string; chosen: string }>;
  success: boolean;
  /** Points this episode's failure is blamed on. */
  blamed: readonly string[];
}): Promise<void> {
  const view = evidence.knowledge();
  const keyed = async (level: "procedural" | "meta" | "causal", key: string, content: string | undefined, payload: Record<string, unknown>): Promise<string | undefined> => {
    if (content === undefined) {
      memory.delete(itemId(level, undefined, key));
      return undefined;
    }
    return memory.putItem({ level, key, content, payload });
  };
  const procedure = view.procedures.find((item) => item.taskType === taskType);
  await keyed("procedural", `procedure:${taskType}`, procedure?.text, { taskType, successes: procedure?.successes ?? 0, failures: procedure?.failures ?? 0 });
  const meta = view.meta.find((item) => item.taskType === taskType);
  await keyed("meta", `meta:${taskType}`, meta?.text, { taskType, failures: meta?.failures ?? 0 });
  for (const decision of decisions) {
    const cause = view.causes.find((item) => item.point === decision.point && item.option === decision.chosen);
    const key = `cause:${decision.point}:${decision.chosen}`;
    const existed = memory.peek(itemId("causal", undefined, key)) !== undefined;
    const from = await keyed("causal", key, cause?.text, cause === undefined ? {} : { point: cause.point, option: cause.option, blamed: cause.blamed, trials: cause.trials });
    if (cause === undefined || from === undefined) continue;
    const to = await memory.putItem({ level: "causal", key: `effect:${cause.effect}`, content: cause.effect, payload: { effect: cause.effect } });
    const linked = memory.peek(from)?.causalLinks.some((link) => link.target === to && link.relation === "causes") === true;
    if (!existed || !linked) memory.addCausalLink({ from, to, relation: "causes", confidence: cause.confidence });
    else if (blamed.includes(decision.point)) memory.strengthenCausalLink(from, to);
    else if (success) memory.weakenCausalLink(from, to);
  }
}
