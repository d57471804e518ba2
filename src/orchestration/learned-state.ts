import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { JottyConfig } from "../config/index.js";
import type { Embedder } from "../embeddings/index.js";
import { errorMessage, JottyError } from "../errors/index.js";
import { Experience, EXPERIENCE_SNAPSHOT_VERSION, ExperienceSnapshotSchema, type ExperienceOptions } from "../experience/index.js";
import { DecisionEvidence, DecisionEvidenceSnapshotSchema } from "../knowledge/index.js";
import { QPredictor, qPredictorOptionsFromConfig, QPredictorSnapshotSchema, Q_PREDICTOR_SNAPSHOT_VERSION } from "../learning/index.js";
import type { CircuitBreaker } from "../llm/index.js";
import { checkMemorySnapshot, HierarchicalMemory, MemoryLearner, type HierarchicalMemoryOptions } from "../memory/index.js";
import { COMPONENT_STEMS, type JottyState } from "../persistence/index.js";
import { parseSnapshot, type Clock } from "../util/index.js";
import type { Telemetry } from "../telemetry/index.js";
import { TodoList, TodoSnapshotSchema } from "./todo-list.js";
import { TraceLibrary, TraceLibrarySnapshotSchema } from "./trace-library.js";

/** What the components of a Conductor are built with. */
export interface LearnedStateParts {
  config: JottyConfig;
  embedder: Embedder;
  memoryOptions: HierarchicalMemoryOptions;
  /** An actor's memory settings (the team's with its overrides). */
  localSettings: (name: string) => JottyConfig["memory"];
  /** The actors of this run: local memories of others are carried as they are. */
  actorNames: ReadonlySet<string>;
  qOptions: { embedder?: Embedder; llm?: BaseChatModel; modelBreaker?: CircuitBreaker; clock: Clock; telemetry: Telemetry };
  experienceOptions: ExperienceOptions;
}

/** The local memory of an actor left out of this run: its snapshot and its stored vectors, carried over unchanged. */
export interface DormantMemory {
  snapshot: Record<string, unknown>;
  /** The bytes of its vectors file, so the run it is back in loads them instead of embedding again. */
  vectors?: Uint8Array;
}

/** Components restored from a saved state; each absent one starts fresh. */
export interface RestoredState {
  sharedMemory?: HierarchicalMemory;
  localMemories: Map<string, HierarchicalMemory>;
  /** Local memories of actors left out of this run, carried over unchanged. */
  dormant: Record<string, DormantMemory>;
  q?: QPredictor;
  learner: MemoryLearner;
  traces: TraceLibrary;
  evidence: DecisionEvidence;
  experience?: Experience;
  todoState?: unknown;
  episodes: number;
  /** What the restore had to do another way: stored vectors that could not be loaded, and so were embedded again. */
  warnings: string[];
}


/** Records a component whose stored vectors were given but not used. */
function noteVectors(restored: RestoredState, name: string, report: { vectors: string; problem?: string; embedded?: number }): void {
  if (report.problem === undefined) return;
  restored.warnings.push(`${name}: its stored vectors were not loaded (${report.problem}), so ${report.embedded === undefined ? "its vectors were" : `${report.embedded} vectors were`} computed again`);
}

/**
 * Builds every component from a saved state, into new objects only, so a state that fails
 * part-way changes nothing and the Vault can fall back to the run before it. The state is one
 * just read from disk: the memories take the entries of their snapshots as their own.
 *
 * @throws JottyError `snapshot_invalid` (or `snapshot_version_unsupported`) naming the
 *   component that does not restore; other failures (an embedder's) as they are.
 */
export async function restoreLearnedState(state: JottyState, parts: LearnedStateParts): Promise<RestoredState> {
  const { config, memoryOptions } = parts;
  const part = async <T>(name: string, work: () => Promise<T> | T): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      // What the snapshot holds is named by component; a failure around it (an embedder or a
      // model that does not answer) is not the state's fault and goes up as it is.
      if (!JottyError.is(error) || error.code === "llm_error" || error.code === "io_error") throw error;
      throw new JottyError({ code: error.code === "snapshot_version_unsupported" ? error.code : "snapshot_invalid", message: `${name}: ${errorMessage(error)}`, cause: error });
    }
  };
  const restored: RestoredState = {
    localMemories: new Map(),
    dormant: {},
    learner: MemoryLearner.fromConfig(config),
    traces: new TraceLibrary(parts.embedder, config.conductor.executionModes),
    evidence: new DecisionEvidence(),
    episodes: 0,
    warnings: [],
  };
  if (state.sharedMemory !== undefined) {
    const snapshot = state.sharedMemory;
    restored.sharedMemory = await part("the shared memory", () =>
      HierarchicalMemory.restore(snapshot, { ...memoryOptions, name: "shared", settings: config.memory, vectors: state.vectors?.[COMPONENT_STEMS.sharedMemory], adopt: true }),
    );
    noteVectors(restored, "the shared memory", restored.sharedMemory.vectorRestore);
  }
  for (const [name, snapshot] of Object.entries(state.localMemories ?? {})) {
    if (!parts.actorNames.has(name)) {
      // An actor left out of this run keeps what it learned for the runs it is back in.
      const vectors = state.vectors?.[COMPONENT_STEMS.localMemory(name)];
      restored.dormant[name] = { snapshot, ...(vectors === undefined ? {} : { vectors }) };
      continue;
    }
    const local = await part(`the local memory of ${name}`, () =>
      HierarchicalMemory.restore(snapshot, { ...memoryOptions, name, settings: parts.localSettings(name), vectors: state.vectors?.[COMPONENT_STEMS.localMemory(name)], adopt: true }),
    );
    restored.localMemories.set(name, local);
    noteVectors(restored, `the local memory of ${name}`, local.vectorRestore);
  }
  if (state.qPredictor !== undefined) {
    const snapshot = state.qPredictor;
    // It runs with this run's settings; the snapshot holds only what was learned.
    restored.q = await part("the Q-predictor", () => QPredictor.restore(snapshot, { ...qPredictorOptionsFromConfig(config), ...parts.qOptions, vectors: state.vectors?.[COMPONENT_STEMS.qPredictor] }));
    noteVectors(restored, "the Q-predictor", restored.q.vectorRestore);
  }
  const brain = state.brainState ?? {};
  if (brain.memory_learner !== undefined) await part("the memory learner", () => restored.learner.restoreState(brain.memory_learner));
  if (brain.execution_traces !== undefined) await part("the execution traces", () => restored.traces.restoreState(brain.execution_traces));
  if (brain.decision_evidence !== undefined) await part("the decision evidence", () => restored.evidence.restoreState(brain.decision_evidence));
  const episodes = Number((brain.conductor as { episodes?: unknown } | undefined)?.episodes ?? 0);
  restored.episodes = Number.isInteger(episodes) && episodes >= 0 ? episodes : 0;
  const loops = state.experience?.experience;
  if (config.experience.enabled && loops !== undefined) restored.experience = await part("the learning loops", () => Experience.restore(loops, parts.experienceOptions));
  if (state.todos !== undefined) {
    const snapshot = state.todos;
    // Checked here against a throwaway list, so the Conductor's own is only touched once all is well.
    await part("the todo state", () => new TodoList([{ name: "check", dependsOn: [] }]).restoreState(snapshot));
    restored.todoState = snapshot;
  }
  return restored;
}

/**
 * Checks every component of a state against its own snapshot schema before it is saved, so a
 * NaN value or a malformed component is refused with its place instead of written and loaded
 * wrongly next time.
 *
 * @throws JottyError `snapshot_invalid` naming the component and its first problems.
 */
export function checkLearnedState(state: JottyState): void {
  const check = (name: string, work: () => unknown): void => {
    try {
      work();
    } catch (error) {
      throw new JottyError({ code: "snapshot_invalid", message: `Cannot save ${name}: ${errorMessage(error)}`, cause: error });
    }
  };
  if (state.sharedMemory !== undefined) check("the shared memory", () => checkMemorySnapshot(state.sharedMemory));
  for (const [name, snapshot] of Object.entries(state.localMemories ?? {})) check(`the local memory of ${name}`, () => checkMemorySnapshot(snapshot));
  if (state.qPredictor !== undefined) {
    check("the Q-predictor", () => parseSnapshot({ schema: QPredictorSnapshotSchema, snapshot: state.qPredictor, version: Q_PREDICTOR_SNAPSHOT_VERSION, what: "Q-predictor" }));
  }
  const brain = state.brainState ?? {};
  if (brain.memory_learner !== undefined) check("the memory learner", () => new MemoryLearner().restoreState(brain.memory_learner));
  if (brain.execution_traces !== undefined) {
    check("the execution traces", () => parseSnapshot({ schema: TraceLibrarySnapshotSchema, snapshot: brain.execution_traces, version: 1, what: "execution-trace" }));
  }
  if (brain.decision_evidence !== undefined) {
    check("the decision evidence", () => parseSnapshot({ schema: DecisionEvidenceSnapshotSchema, snapshot: brain.decision_evidence, version: 1, what: "decision evidence" }));
  }
  if (state.todos !== undefined) check("the todo state", () => parseSnapshot({ schema: TodoSnapshotSchema, snapshot: state.todos, version: 1, what: "todo" }));
  const loops = state.experience?.experience;
  if (loops !== undefined) check("the learning loops", () => parseSnapshot({ schema: ExperienceSnapshotSchema, snapshot: loops, version: EXPERIENCE_SNAPSHOT_VERSION, what: "experience" }));
}

/**
 * The memories' snapshots and the binary vectors of the memories and the Q-predictor, by the
 * stem of their JSON file; a memory whose vectors go in a binary file leaves them out of its JSON.
 */
function snapshotsWithVectors(parts: { sharedMemory: HierarchicalMemory; localMemories: ReadonlyMap<string, HierarchicalMemory>; q: QPredictor }) {
  const vectors: Record<string, Uint8Array> = {};
  const snapshotOf = (memory: HierarchicalMemory, stem: string): Record<string, unknown> => {
    // Columns: half the bytes of rows, and a few dozen arrays to parse instead of an object a memory.
    const bytes = memory.snapshotVectors();
    if (bytes === undefined) return memory.snapshot({ columns: true });
    vectors[stem] = bytes;
    return memory.snapshot({ includeVectors: false, columns: true });
  };
  const sharedMemory = snapshotOf(parts.sharedMemory, COMPONENT_STEMS.sharedMemory);
  const localMemories = Object.fromEntries([...parts.localMemories].map(([name, memory]) => [name, snapshotOf(memory, COMPONENT_STEMS.localMemory(name))]));
  const q = parts.q.snapshotVectors();
  if (q !== undefined) vectors[COMPONENT_STEMS.qPredictor] = q;
  return { sharedMemory, localMemories, vectors };
}

/**
 * The whole learned state of a team, as the Vault saves it: memories (with those of actors
 * left out of this run), the Q-predictor, learner, traces, decision evidence, todo state and
 * Experience, the config it was learned with and the summary of the episodes since the last save.
 */
export function learnedStateOf(parts: {
  config: JottyConfig;
  summary: ReadonlyArray<Record<string, unknown>>;
  sharedMemory: HierarchicalMemory;
  localMemories: ReadonlyMap<string, HierarchicalMemory>;
  dormant: Record<string, DormantMemory>;
  q: QPredictor;
  learner: MemoryLearner;
  traces: TraceLibrary;
  evidence: DecisionEvidence;
  todos: TodoList;
  experience: Experience | undefined;
  /** Episodes that learned, the loaded runs' included. */
  episodes: number;
}): JottyState {
  const { sharedMemory, localMemories, vectors } = snapshotsWithVectors(parts);
  const dormant = Object.entries(parts.dormant).filter(([name]) => !parts.localMemories.has(name));
  for (const [name, memory] of dormant) if (memory.vectors !== undefined) vectors[COMPONENT_STEMS.localMemory(name)] = memory.vectors;
  return {
    schemaVersion: 1,
    config: JSON.parse(JSON.stringify(parts.config)) as Record<string, unknown>,
    summary: { episodes: parts.summary.map((entry) => ({ ...entry })) },
    sharedMemory,
    localMemories: { ...Object.fromEntries(dormant.map(([name, memory]) => [name, memory.snapshot])), ...localMemories },
    qPredictor: parts.q.snapshot(),
    vectors,
    brainState: {
      memory_learner: parts.learner.snapshot(),
      execution_traces: parts.traces.snapshot(),
      decision_evidence: parts.evidence.snapshot(),
      conductor: { schemaVersion: 1, episodes: parts.episodes },
    },
    todos: parts.todos.snapshot(),
    ...(parts.experience === undefined ? {} : { experience: { experience: parts.experience.snapshot() } }),
  };
}
