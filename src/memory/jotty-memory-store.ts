import {
  BaseStore,
  type GetOperation,
  type Item,
  type ListNamespacesOperation,
  type MatchCondition,
  type Operation,
  type OperationResults,
  type PutOperation,
  type SearchOperation,
} from "@langchain/langgraph";
import { JottyError } from "../errors/index.js";

/** A search result: an item with its similarity to the query, when there was one. */
type SearchItem = Item & { score?: number | undefined };
import type { HierarchicalMemory } from "./hierarchical-memory.js";
import { itemId, type MemoryEntry } from "./memory-entry.js";
import { MEMORY_LEVELS, type MemoryLevel } from "./memory-level.js";

type Filter = Record<string, unknown>;

function namespaceOf(entry: Readonly<MemoryEntry>): string[] {
  return entry.metadata.actor === undefined ? [entry.level] : [entry.level, entry.metadata.actor];
}

function keyOf(entry: Readonly<MemoryEntry>): string {
  return entry.metadata.key ?? entry.id;
}

function valueOf(entry: Readonly<MemoryEntry>): Record<string, unknown> {
  if (entry.metadata.payload !== undefined) return structuredClone(entry.metadata.payload);
  return {
    content: entry.content,
    kind: entry.kind,
    domain: entry.metadata.domain,
    taskType: entry.metadata.taskType,
    sourceEpisodes: [...entry.metadata.sourceEpisodes],
  };
}

function toItem(entry: Readonly<MemoryEntry>): Item {
  return {
    namespace: namespaceOf(entry),
    key: keyOf(entry),
    value: valueOf(entry),
    createdAt: new Date(entry.createdAt),
    updatedAt: new Date(entry.updatedAt),
  };
}

/** The text a stored value is embedded by: its `content` when a string, else its JSON. */
function textOf(value: Record<string, unknown>): string {
  return typeof value.content === "string" ? value.content : JSON.stringify(value);
}

/** The comparison operators of LangGraph store filters ($eq, $ne, $gt, $gte, $lt, $lte, $in, $nin). */
function matches(itemValue: unknown, wanted: unknown): boolean {
  if (wanted !== null && typeof wanted === "object" && !Array.isArray(wanted)) {
    const operators = Object.entries(wanted).filter(([operator]) => operator.startsWith("$"));
    if (operators.length > 0) {
      return operators.every(([operator, operand]) => {
        switch (operator) {
          case "$eq":
            return itemValue === operand;
          case "$ne":
            return itemValue !== operand;
          case "$gt":
            return Number(itemValue) > Number(operand);
          case "$gte":
            return Number(itemValue) >= Number(operand);
          case "$lt":
            return Number(itemValue) < Number(operand);
          case "$lte":
            return Number(itemValue) <= Number(operand);
          case "$in":
            return Array.isArray(operand) && operand.includes(itemValue);
          case "$nin":
            return !Array.isArray(operand) || !operand.includes(itemValue);
          default:
            return false;
        }
      });
    }
  }
  return itemValue === wanted;
}

function passesFilter(value: Record<string, unknown>, filter: Filter | undefined): boolean {
  return filter === undefined || Object.entries(filter).every(([key, wanted]) => matches(value[key], wanted));
}

function namespaceMatches({ matchType, path }: MatchCondition, namespace: readonly string[]): boolean {
  if (path.length > namespace.length) return false;
  const start = matchType === "prefix" ? 0 : namespace.length - path.length;
  return path.every((label, index) => label === "*" || namespace[start + index] === label);
}

/**
 * Jotty's memory behind LangGraph's standard `BaseStore`, so graph nodes read and write it
 * through `config.store` (`put`, `get`, `search` with a query, `delete`, `listNamespaces`).
 *
 * Namespaces are `[level]` or `[level, actor]`. Items put through the store keep their key
 * and value; memories stored by Jotty appear with their id as key and their content, kind,
 * domain and task type as value. A value is embedded by its `content` field when that is a
 * string, else by its JSON. Unlike `InMemoryStore`, levels have capacities and evict.
 *
 * @example
 * ```ts
 * const store = new JottyMemoryStore(memory);
 * const graph = builder.compile({ store });
 * await store.put(["episodic", "planner"], "note-1", { content: "Filter on dt, not ts" });
 * const hits = await store.search(["episodic"], { query: "which date column?" });
 * ```
 */
export class JottyMemoryStore extends BaseStore {
  /** The memory behind the store. */
  readonly memory: HierarchicalMemory;

  /** @param memory - the memory to expose. */
  constructor(memory: HierarchicalMemory) {
    super();
    this.memory = memory;
  }

  private parseNamespace(namespace: readonly string[], { prefix }: { prefix: boolean }): { level?: MemoryLevel; actor?: string } {
    const valid =
      namespace.length <= 2 &&
      (prefix || namespace.length >= 1) &&
      namespace.every((label) => typeof label === "string" && label.length > 0 && !label.includes(":")) &&
      (namespace.length === 0 || MEMORY_LEVELS.includes(namespace[0] as MemoryLevel));
    if (!valid) {
      throw new JottyError({
        code: "invalid_argument",
        message: `Namespace ${JSON.stringify(namespace)} is not a Jotty memory namespace; use [level] or [level, actor] with level one of ${MEMORY_LEVELS.join(", ")}.`,
        details: { namespace: [...namespace] },
      });
    }
    const [level, actor] = namespace as [MemoryLevel?, string?];
    return { ...(level === undefined ? {} : { level }), ...(actor === undefined ? {} : { actor }) };
  }

  /** The memory behind (namespace, key): an item put through the store, or a memory by id. */
  private find(namespace: readonly string[], key: string): Readonly<MemoryEntry> | undefined {
    const { level, actor } = this.parseNamespace(namespace, { prefix: false });
    const asItem = this.memory.peek(itemId(level as MemoryLevel, actor, key));
    if (asItem !== undefined) return asItem;
    const asMemory = this.memory.peek(key);
    if (asMemory !== undefined && asMemory.metadata.key === undefined && namespaceOf(asMemory).join(":") === namespace.join(":")) {
      return asMemory;
    }
    return undefined;
  }

  private inPrefix(entry: Readonly<MemoryEntry>, prefix: readonly string[]): boolean {
    const namespace = namespaceOf(entry);
    return prefix.every((label, index) => namespace[index] === label);
  }

  private async runSearch(operation: SearchOperation): Promise<SearchItem[]> {
    const prefix = operation.namespacePrefix;
    const { level, actor } = this.parseNamespace(prefix, { prefix: true });
    const offset = operation.offset ?? 0;
    const limit = operation.limit ?? 10;
    const accept = (entry: Readonly<MemoryEntry>): boolean =>
      this.inPrefix(entry, prefix) && passesFilter(valueOf(entry), operation.filter);
    if (operation.query !== undefined && operation.query !== "") {
      const hits = await this.memory.similar({
        text: operation.query,
        k: offset + limit,
        ...(level === undefined ? {} : { levels: [level] }),
        ...(actor === undefined ? {} : { actors: [actor] }),
        predicate: accept,
      });
      return hits.slice(offset).map(({ entry, score }) => ({ ...toItem(entry), score }));
    }
    // Without a query, items come namespace by namespace (in order of first appearance), as in InMemoryStore.
    const groups = new Map<string, Array<Readonly<MemoryEntry>>>();
    for (const entry of this.memory.view()) {
      if (!accept(entry)) continue;
      const name = namespaceOf(entry).join(":");
      const group = groups.get(name) ?? [];
      group.push(entry);
      groups.set(name, group);
    }
    return [...groups.values()]
      .flat()
      .slice(offset, offset + limit)
      .map((entry) => ({ ...toItem(entry), score: undefined }));
  }

  private listNamespacesOf(operation: ListNamespacesOperation): string[][] {
    const seen = new Map<string, string[]>();
    for (const entry of this.memory.view()) {
      const namespace = namespaceOf(entry);
      seen.set(namespace.join(":"), namespace);
    }
    let namespaces = [...seen.values()];
    const conditions = operation.matchConditions ?? [];
    namespaces = namespaces.filter((namespace) => conditions.every((condition) => namespaceMatches(condition, namespace)));
    if (operation.maxDepth !== undefined) {
      const depth = operation.maxDepth;
      namespaces = [...new Map(namespaces.map((namespace) => [namespace.slice(0, depth).join(":"), namespace.slice(0, depth)])).values()];
    }
    namespaces.sort((a, b) => a.join(":").localeCompare(b.join(":")));
    const offset = operation.offset ?? 0;
    return namespaces.slice(offset, offset + (operation.limit ?? namespaces.length));
  }

  private async apply(operation: PutOperation): Promise<void> {
    const { level, actor } = this.parseNamespace(operation.namespace, { prefix: false });
    if (operation.value === null) {
      const found = this.find(operation.namespace, operation.key);
      if (found !== undefined) this.memory.delete(found.id);
      return;
    }
    await this.memory.putItem({
      level: level as MemoryLevel,
      ...(actor === undefined ? {} : { actor }),
      key: operation.key,
      content: textOf(operation.value),
      payload: operation.value,
    });
  }

  /**
   * Runs store operations. As in `InMemoryStore`, reads see the state before the batch's
   * writes, and of several writes to one key the last wins.
   */
  async batch<Op extends Operation[]>(operations: Op): Promise<OperationResults<Op>> {
    const results: unknown[] = [];
    const puts = new Map<string, PutOperation>();
    for (const operation of operations) {
      if ("value" in operation) {
        this.parseNamespace(operation.namespace, { prefix: false });
        puts.set(`${operation.namespace.join(":")}:${operation.key}`, operation);
        results.push(undefined);
      } else if ("namespacePrefix" in operation) {
        results.push(await this.runSearch(operation));
      } else if ("matchConditions" in operation || "maxDepth" in operation || "limit" in operation) {
        results.push(this.listNamespacesOf(operation as ListNamespacesOperation));
      } else {
        const get = operation as GetOperation;
        const found = this.find(get.namespace, get.key);
        results.push(found === undefined ? null : toItem(found));
      }
    }
    for (const put of puts.values()) await this.apply(put);
    return results as OperationResults<Op>;
  }
}
