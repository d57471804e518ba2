/**
 * The first value in `value` that JSON would not keep as it is, as `path: problem`, or
 * undefined when it round-trips: NaN and ±Infinity (JSON writes null), undefined inside arrays
 * (null), functions, symbols and bigints, objects that are not plain (Date, Map, class
 * instances lose their kind), and cycles.
 *
 * @param root - how the path starts, e.g. `sharedMemory`.
 */
export function firstUnsafeValue(value: unknown, root = "(root)"): string | undefined {
  const visiting = new Set<object>();
  const walk = (current: unknown, where: string): string | undefined => {
    switch (typeof current) {
      case "number":
        return Number.isFinite(current) ? undefined : `${where} is ${String(current)}, which JSON cannot hold`;
      case "string":
      case "boolean":
        return undefined;
      case "undefined":
        return undefined;
      case "function":
      case "symbol":
      case "bigint":
        return `${where} is a ${typeof current}, which JSON cannot hold`;
    }
    if (current === null) return undefined;
    const object = current as object;
    if (visiting.has(object)) return `${where} refers back to itself (a cycle)`;
    visiting.add(object);
    try {
      if (Array.isArray(object)) {
        for (let index = 0; index < object.length; index += 1) {
          const item: unknown = object[index];
          if (item === undefined) return `${where}[${index}] is undefined, which JSON writes as null`;
          const problem = walk(item, `${where}[${index}]`);
          if (problem !== undefined) return problem;
        }
        return undefined;
      }
      const prototype = Object.getPrototypeOf(object) as unknown;
      if (prototype !== Object.prototype && prototype !== null) {
        return `${where} is a ${(object as { constructor?: { name?: string } }).constructor?.name ?? "non-plain"} object, which JSON does not keep`;
      }
      for (const [key, inner] of Object.entries(object)) {
        const problem = walk(inner, `${where}.${key}`);
        if (problem !== undefined) return problem;
      }
      return undefined;
    } finally {
      visiting.delete(object);
    }
  };
  return walk(value, root);
}
