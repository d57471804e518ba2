import { Annotation, StateGraph } from "@langchain/langgraph";

/** A graph of two nodes, `first` then `second`; `second` runs `onSecond` first (to crash in it). */
export function twoStepGraph(calls: { first: number; second: number }, onSecond: () => void = () => undefined) {
  const State = Annotation.Root({ steps: Annotation<string[]>({ reducer: (a, b) => a.concat(b), default: () => [] }) });
  return new StateGraph(State)
    .addNode("first", () => {
      calls.first += 1;
      return { steps: ["first"] };
    })
    .addNode("second", () => {
      calls.second += 1;
      onSecond();
      return { steps: ["second"] };
    })
    .addEdge("__start__", "first")
    .addEdge("first", "second")
    .addEdge("second", "__end__");
}
