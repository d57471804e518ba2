import type { JottyState } from "../../src/index.js";

/** A state of several megabytes whose every component records the generation that wrote it. */
export function bigState(generation: number, entries: number): JottyState {
  const payload = Array.from({ length: entries }, (_, index) => ({
    id: `${generation}-${index}`,
    content: `generation ${generation} memory ${index} `.repeat(6),
  }));
  return {
    schemaVersion: 1,
    config: { generation },
    summary: { generation },
    sharedMemory: { generation, entries: payload },
    localMemories: { analyst: { generation, entries: payload.slice(0, entries / 2) }, critic: { generation } },
    qPredictor: { generation, entries: payload },
    brainState: { memory_learner: { generation } },
  };
}

/** The generations recorded by every component of a loaded state. */
export function generationsOf(state: JottyState): number[] {
  const parts = [
    state.config,
    state.summary,
    state.sharedMemory,
    state.localMemories?.analyst,
    state.localMemories?.critic,
    state.qPredictor,
    state.brainState?.memory_learner,
  ];
  return parts.map((part) => (part as { generation: number }).generation);
}
