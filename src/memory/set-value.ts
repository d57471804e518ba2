import { invalidArgument } from "./invalid-argument.js";
import type { MemoryTable } from "./memory-table.js";
import type { Clock } from "../util/index.js";

/**
 * Sets a memory's value for a goal, clamped to [0, 1] (the body of
 * {@link HierarchicalMemory.setValue}); false when the memory no longer exists.
 *
 * @throws JottyError `invalid_argument` for a value that is not a finite number.
 */
export function setMemoryValue(table: MemoryTable, clock: Clock, { id, goal, value, visit = false }: { id: string; goal: string; value: number; visit?: boolean }): boolean {
  const entry = table.get(id);
  if (entry === undefined) return false;
  if (!Number.isFinite(value)) throw invalidArgument(`A memory value must be a finite number, got ${value}.`);
  const current = entry.values[goal];
  entry.values[goal] = { value: Math.min(1, Math.max(0, value)), visits: (current?.visits ?? 0) + (visit ? 1 : 0) };
  entry.updatedAt = clock.now();
  table.changed(entry, "update", "value");
  return true;
}
