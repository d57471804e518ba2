import { Annotation, InMemoryStore, StateGraph, type BaseStore } from "@langchain/langgraph";
import { describe, expect, it } from "vitest";
import { HashingEmbedder, HierarchicalMemory, JottyError, JottyMemoryStore } from "../../src/index.js";

const embedder = new HashingEmbedder({ dimensions: 128 });

function stores(): { jotty: JottyMemoryStore; reference: InMemoryStore } {
  return {
    jotty: new JottyMemoryStore(new HierarchicalMemory({ embedder })),
    reference: new InMemoryStore({ index: { dims: 128, embeddings: embedder, fields: ["content"] } }),
  };
}

/** Items without timestamps, which differ between two stores by construction. */
function plain(items: Array<{ namespace: string[]; key: string; value: Record<string, unknown>; score?: number | undefined } | null>) {
  return items.map((item) =>
    item === null
      ? null
      : { namespace: item.namespace, key: item.key, value: item.value, score: item.score === undefined ? undefined : Number(item.score.toFixed(5)) },
  );
}

async function writeSample(store: BaseStore): Promise<void> {
  await store.put(["episodic", "planner"], "a", { content: "Filter dates on the dt partition column", n: 1 });
  await store.put(["semantic"], "c", { content: "Revenue counts only settled transactions", n: 3 });
  await store.put(["episodic", "critic"], "b", { content: "The ts column is a UTC timestamp", n: 2 });
  await store.put(["episodic", "planner"], "d", { content: "Weekly reports start on Monday", n: 4 });
  await store.put(["episodic", "planner"], "a", { content: "Filter dates on dt, never on ts", n: 5 });
}

describe("JottyMemoryStore behaves like LangGraph's InMemoryStore", () => {
  it("on put, get, search with and without a query, filters, pagination and listNamespaces", async () => {
    const { jotty, reference } = stores();
    await writeSample(jotty);
    await writeSample(reference);
    const calls: Array<(store: BaseStore) => Promise<unknown>> = [
      async (store) => plain([await store.get(["episodic", "planner"], "a")]),
      async (store) => plain([await store.get(["episodic", "planner"], "missing")]),
      async (store) => plain(await store.search(["episodic"], { query: "which date column should I filter on?" })),
      async (store) => plain(await store.search([], { query: "settled revenue", limit: 2 })),
      async (store) => plain(await store.search(["episodic", "planner"], { query: "date filter", offset: 1 })),
      async (store) => plain(await store.search(["episodic"])),
      async (store) => plain(await store.search([], { filter: { n: { $gt: 2 } } })),
      async (store) => plain(await store.search([], { filter: { n: 2 } })),
      async (store) => plain(await store.search([], { limit: 2, offset: 1 })),
      async (store) => store.listNamespaces(),
      async (store) => store.listNamespaces({ prefix: ["episodic"] }),
      async (store) => store.listNamespaces({ suffix: ["planner"] }),
      async (store) => store.listNamespaces({ maxDepth: 1 }),
      async (store) => store.listNamespaces({ limit: 1, offset: 1 }),
    ];
    for (const call of calls) {
      const expected = await call(reference);
      expect(expected).not.toEqual([]);
      expect(await call(jotty)).toEqual(expected);
    }
    const ranked = (await jotty.search(["episodic"], { query: "how should dates be filtered?" })).map((item) => item.key);
    expect(ranked[0]).toBe("a");
  });

  it("on delete and on batches whose reads precede their writes", async () => {
    const { jotty, reference } = stores();
    for (const store of [jotty, reference]) {
      await writeSample(store);
      await store.delete(["episodic", "planner"], "d");
    }
    for (const store of [jotty, reference]) expect(await store.get(["episodic", "planner"], "d")).toBeNull();
    const batch = async (store: BaseStore) =>
      store.batch([
        { namespace: ["episodic", "planner"], key: "e", value: { content: "first write" } },
        { namespace: ["episodic", "planner"], key: "e" },
        { namespace: ["episodic", "planner"], key: "e", value: { content: "second write" } },
      ]);
    const [jottyResults, referenceResults] = [await batch(jotty), await batch(reference)];
    expect(jottyResults[1]).toBeNull();
    expect(referenceResults[1]).toBeNull();
    expect((await jotty.get(["episodic", "planner"], "e"))?.value).toEqual({ content: "second write" });
    expect((await reference.get(["episodic", "planner"], "e"))?.value).toEqual({ content: "second write" });
  });
});

describe("JottyMemoryStore on Jotty's memory", () => {
  it("shows memories stored by Jotty under their level and actor, keyed by id", async () => {
    const memory = new HierarchicalMemory({ embedder });
    const store = new JottyMemoryStore(memory);
    const { id } = await memory.store({ level: "procedural", content: "Sum amount_cents / 100.0", actor: "analyst", taskType: "revenue" });
    expect(await store.listNamespaces()).toEqual([["procedural", "analyst"]]);
    const item = await store.get(["procedural", "analyst"], id);
    expect(item?.value).toMatchObject({ content: "Sum amount_cents / 100.0", kind: "procedure", taskType: "revenue" });
    const [hit] = await store.search(["procedural"], { query: "how to sum amounts" });
    expect(hit?.key).toBe(id);
    await store.delete(["procedural", "analyst"], id);
    expect(memory.size()).toBe(0);
  });

  it("rejects namespaces that are not [level] or [level, actor]", async () => {
    const store = new JottyMemoryStore(new HierarchicalMemory({ embedder }));
    await expect(store.put(["notes"], "k", { content: "x" })).rejects.toBeInstanceOf(JottyError);
    await expect(store.put(["episodic", "a", "b"], "k", { content: "x" })).rejects.toThrow(/\[level, actor\]/);
  });

  it("serves a LangGraph graph's nodes through config.store", async () => {
    const memory = new HierarchicalMemory({ embedder });
    const State = Annotation.Root({ question: Annotation<string>, recalled: Annotation<string[]> });
    const graph = new StateGraph(State)
      .addNode("remember", async (state, config) => {
        await config.store?.put(["episodic", "analyst"], "rule", { content: "Money is amount_cents / 100.0" });
        return { question: state.question };
      })
      .addNode("recall", async (state, config) => {
        const hits = (await config.store?.search(["episodic"], { query: state.question, limit: 1 })) ?? [];
        return { recalled: hits.map((hit) => String(hit.value.content)) };
      })
      .addEdge("__start__", "remember")
      .addEdge("remember", "recall")
      .addEdge("recall", "__end__")
      .compile({ store: new JottyMemoryStore(memory) });
    const result = await graph.invoke({ question: "how is money represented?", recalled: [] });
    expect(result.recalled).toEqual(["Money is amount_cents / 100.0"]);
    expect(memory.size("episodic")).toBe(1);
  });
});
