import { JottyError } from "../errors/index.js";
import { meanValue } from "./goal-values.js";
import type { MemoryEntry } from "./memory-entry.js";
import type { MemoryLevel } from "./memory-level.js";
import type { MemoryTable } from "./memory-table.js";

/**
 * Evicts until `level` has room for `incoming` more memories: the unprotected ones of lowest
 * mean value first, the oldest among equals, so what was learned to matter stays longest.
 * Returns the evicted ids.
 *
 * @throws JottyError `capacity_exceeded` when the protected memories leave too little room;
 *   nothing is evicted then.
 */
export function makeRoom({ table, level, capacity, incoming }: { table: MemoryTable; level: MemoryLevel; capacity: number; incoming: number }): string[] {
  const ids = table.idsOf(level);
  const excess = ids.size + incoming - capacity;
  if (excess <= 0) return [];
  const victims = [...ids]
    .map((id) => table.get(id) as MemoryEntry)
    .filter((entry) => !entry.protected)
    .sort((a, b) => meanValue(a) - meanValue(b) || a.createdAt - b.createdAt)
    .slice(0, excess);
  if (victims.length < excess) {
    throw new JottyError({
      code: "capacity_exceeded",
      message: `The ${level} level of the ${table.name} memory is full (${ids.size} of ${capacity}) and every memory that could make room is protected; raise memory.capacities.${level} or unprotect some memories.`,
      details: { level, capacity, size: ids.size },
    });
  }
  for (const victim of victims) table.remove(victim.id, "evicted");
  return victims.map((victim) => victim.id);
}
