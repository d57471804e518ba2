/** Deeper than this, a value is taken for a cycle (JSON could not write it either). */
const MAX_DEPTH = 1000;

interface Problem {
  path: Array<string | number>;
  problem: string;
}

function walk(value: unknown, depth: number): Problem | undefined {
  switch (typeof value) {
    case "number":
      return Number.isFinite(value) ? undefined : { path: [], problem: `is ${String(value)}, which JSON cannot hold` };
    case "string":
    case "boolean":
    case "undefined":
      return undefined;
    case "function":
    case "symbol":
    case "bigint":
      return { path: [], problem: `is a ${typeof value}, which JSON cannot hold` };
  }
  if (value === null) return undefined;
  if (depth > MAX_DEPTH) return { path: [], problem: `is nested more than ${MAX_DEPTH} levels deep (a cycle?)` };
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index += 1) {
      const item: unknown = value[index];
      const found = item === undefined ? { path: [], problem: "is undefined, which JSON writes as null" } : walk(item, depth + 1);
      if (found !== undefined) {
        found.path.unshift(index);
        return found;
      }
    }
    return undefined;
  }
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype !== Object.prototype && prototype !== null) {
    return { path: [], problem: `is a ${(value as { constructor?: { name?: string } }).constructor?.name ?? "non-plain"} object, which JSON does not keep` };
  }
  const record = value as Record<string, unknown>;
  for (const key in record) {
    const found = walk(record[key], depth + 1);
    if (found !== undefined) {
      found.path.unshift(key);
      return found;
    }
  }
  return undefined;
}

/**
 * The first value in `value` that JSON would not keep as it is, as `path problem`, or
 * undefined when it round-trips: NaN and ±Infinity (JSON writes null), undefined inside arrays
 * (null), functions, symbols and bigints, objects that are not plain (Date, Map, class
 * instances lose their kind), and nesting too deep to be anything but a cycle. Paths are built
 * only for the problem found, so checking a large state costs little more than walking it.
 *
 * @param root - how the path starts, e.g. `sharedMemory`.
 */
export function firstUnsafeValue(value: unknown, root = "(root)"): string | undefined {
  const found = walk(value, 0);
  if (found === undefined) return undefined;
  const where = found.path
    .slice(0, 20)
    .map((key) => (typeof key === "number" ? `[${key}]` : `.${key}`))
    .join("");
  return `${root}${where}${found.path.length > 20 ? "…" : ""} ${found.problem}`;
}
