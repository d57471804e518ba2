import type { RetrievedMemory } from "../memory/index.js";
import { normalizeText } from "../learning/index.js";

/** What the recalled memories say about the candidates: value bonuses, and the memories behind them. */
export interface MemoryPrior {
  /** Bonus per candidate action (only those some memory names). */
  bonuses: Record<string, number>;
  /** `<memory>/<id>` of each memory that named a candidate: these are credited with the decision's outcome. */
  used: string[];
}

/**
 * The options a memory's text names: the longest are looked for first and cut out, so a memory
 * of "amount_cents / 100.0" does not also name "amount_cents" or "amount".
 */
export function namedOptions(content: string, options: readonly string[]): string[] {
  let text = normalizeText(content);
  const keyed = [...new Set(options)].map((option) => ({ option, key: normalizeText(option) })).sort((a, b) => b.key.length - a.key.length);
  const named: string[] = [];
  for (const { option, key } of keyed) {
    if (key === "" || !text.includes(key)) continue;
    text = text.split(key).join(" ");
    named.push(option);
  }
  return named;
}

/**
 * A prior for the candidates from the memories an actor recalled for its goal: a memory that
 * names one candidate (its text contains that candidate's and no other's) moves that candidate's value by
 * `weight × relevance × n/(n+1) × (value − ½)`, n the times the memory's value was learned,
 * averaged over the memories that name it. A memory the
 * team learned to trust (value above ½) pulls towards what it names, one it learned to
 * distrust pushes away, so learned memory values change what a policy actor does. Failure
 * records are left out: their values are never learned.
 */
export function memoryPrior({ memories, actions, weight, memoryName }: { memories: readonly RetrievedMemory[]; actions: readonly string[]; weight: number; memoryName: string }): MemoryPrior {
  const bonuses: Record<string, number> = {};
  const used = new Set<string>();
  if (weight === 0) return { bonuses, used: [] };
  const sums = new Map<string, { total: number; count: number }>();
  for (const memory of memories) {
    if (memory.kind === "failure") continue;
    // A memory recommends an option only when it names one of them: a path through a grid that
    // names three of four moves says nothing about this step.
    const named = namedOptions(memory.content, actions);
    if (named.length !== 1) continue;
    for (const action of named) {
      const sum = sums.get(action) ?? { total: 0, count: 0 };
      // A value never learned is only where its kind starts: it says nothing yet.
      sum.total += Math.max(0, memory.relevance) * (memory.learned / (memory.learned + 1)) * (memory.value - 0.5);
      sum.count += 1;
      sums.set(action, sum);
      used.add(`${memoryName}/${memory.id}`);
    }
  }
  for (const [action, { total, count }] of sums) bonuses[action] = (weight * total) / count;
  return { bonuses, used: [...used] };
}
