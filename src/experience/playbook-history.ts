import type { PlaybookChange, PlaybookHistory, PlaybookVersion, Strategy } from "./schemas.js";


/** The history of versions as changes: each version stores only what differs from the one before. */
export function encodeHistory(versions: readonly PlaybookVersion[], counted: ReadonlyMap<string, ReadonlySet<string>>): PlaybookHistory {
  const [base, ...rest] = versions as [PlaybookVersion, ...PlaybookVersion[]];
  const changes: PlaybookChange[] = [];
  let previous = base;
  for (const version of rest) {
    const before = new Map(previous.strategies.map((strategy) => [strategy.id, JSON.stringify(strategy)]));
    const ids = new Set(version.strategies.map((strategy) => strategy.id));
    changes.push({
      version: version.version,
      at: version.at,
      note: version.note,
      ...(JSON.stringify(version.scope) === JSON.stringify(previous.scope) ? {} : { scope: version.scope }),
      usage: version.usage,
      set: version.strategies.filter((strategy) => before.get(strategy.id) !== JSON.stringify(strategy)),
      removed: previous.strategies.filter((strategy) => !ids.has(strategy.id)).map((strategy) => strategy.id),
      order: version.strategies.map((strategy) => strategy.id),
    });
    previous = version;
  }
  return {
    base: structuredClone(base),
    changes: structuredClone(changes),
    counted: Object.fromEntries([...counted].map(([trajectory, strategies]) => [trajectory, [...strategies].sort()])),
  };
}

/** The versions a history holds, oldest first (the inverse of {@link encodeHistory}). */
export function decodeHistory(history: PlaybookHistory): PlaybookVersion[] {
  const versions: PlaybookVersion[] = [structuredClone(history.base)];
  let previous = history.base;
  for (const change of history.changes) {
    const byId = new Map<string, Strategy>(previous.strategies.map((strategy) => [strategy.id, strategy]));
    for (const id of change.removed) byId.delete(id);
    for (const strategy of change.set) byId.set(strategy.id, strategy);
    const version: PlaybookVersion = {
      name: previous.name,
      scope: change.scope ?? previous.scope,
      version: change.version,
      strategies: change.order.flatMap((id) => {
        const strategy = byId.get(id);
        return strategy === undefined ? [] : [structuredClone(strategy)];
      }),
      usage: { ...change.usage },
      at: change.at,
      note: change.note,
    };
    versions.push(version);
    previous = version;
  }
  return versions;
}
