import { normalizeText } from "../learning/index.js";
import type { HierarchicalMemory } from "../memory/index.js";
import { namedOptions } from "./memory-prior.js";

/** A step as memory credit reads it. */
interface CreditedStep {
  action: string | null;
  point?: string;
  memories?: string[];
}

/**
 * Credit only where a memory could have changed a decision: for each step whose actor was shown
 * the memory (`<memory>/<id>` in the step's `memories`) and whose options the memory names, the
 * memory's outcome is the decision's — 1 when the episode succeeded, 0 when its failure is
 * blamed on that decision — provided the memory recommended what was done. A memory that named
 * none of the options, recommended another option, or was shown for a decision whose outcome
 * is not known, is left alone (null). Several such decisions average.
 */
export function memoryTargets({
  steps,
  success,
  blamed,
  optionsOf,
}: {
  steps: readonly CreditedStep[];
  success: boolean;
  /** Decision points the episode's failure is blamed on. */
  blamed: readonly string[];
  optionsOf: (point: string) => readonly string[] | undefined;
}): (memory: HierarchicalMemory, id: string) => number | null {
  return (memory, id) => {
    const reference = `${memory.name}/${id}`;
    const entry = memory.peek(id);
    if (entry === undefined || entry.kind === "failure") return null;
    const targets: number[] = [];
    for (const step of steps) {
      if (step.action === null || step.point === undefined || step.memories?.includes(reference) !== true) continue;
      const named = namedOptions(entry.content, optionsOf(step.point) ?? []);
      if (!named.some((option) => normalizeText(option) === normalizeText(step.action as string))) continue;
      const outcome = success ? 1 : blamed.includes(step.point) ? 0 : null;
      if (outcome !== null) targets.push(outcome);
    }
    return targets.length === 0 ? null : targets.reduce((total, value) => total + value, 0) / targets.length;
  };
}
