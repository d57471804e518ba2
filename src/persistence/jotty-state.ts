import { z } from "zod";
import { JottyError } from "../errors/index.js";

/** The state schema version this Jotty writes. */
export const STATE_SCHEMA_VERSION = 1;

const component = z.record(z.string(), z.unknown());
const fileName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, "must be a safe file name: letters, digits, '.', '_' and '-'");

/**
 * Everything a run learned, as the Vault stores it. Each component is a component's own
 * snapshot (validated by that component's `restore`); a component not in use is absent.
 */
export const JottyStateSchema = z.strictObject({
  schemaVersion: z.literal(STATE_SCHEMA_VERSION),
  /** The config the run used → `config_snapshot.json`. */
  config: component.optional(),
  /** Per-episode metrics of the run → `run_summary.json`. */
  summary: component.optional(),
  /** → `jotty_state/memories/shared_memory.json`. */
  sharedMemory: component.optional(),
  /** Actor name → its memory → `jotty_state/memories/local_memories/<actor>.json`. */
  localMemories: z.record(fileName, component).optional(),
  /** The Q-table with its replay buffer → `jotty_state/q_tables/q_predictor_buffer.json`. */
  qPredictor: component.optional(),
  /** Learner state (memory learner baselines, TD(λ) values, …) → `jotty_state/brain_state/<name>.json`. */
  brainState: z.record(fileName, component).optional(),
  /** → `jotty_state/markovian_todos/todo_state.json`. */
  todos: component.optional(),
  /** Trajectories, playbooks, feedback, … → `jotty_state/experience/<name>.json`. */
  experience: z.record(fileName, component).optional(),
  /**
   * Binary vectors (and indexes) of the components, by the stem of the JSON file they go with
   * (e.g. `jotty_state/memories/shared_memory`) → `<stem>.vectors.bin`, loaded without
   * re-embedding. Derived data: a state without them restores by embedding again.
   */
  vectors: z.record(z.string().regex(/^jotty_state\/[A-Za-z0-9_./-]+$/), z.custom<Uint8Array>((value) => value instanceof Uint8Array, "must be bytes")).optional(),
});

/** Everything a run learned. */
export type JottyState = z.infer<typeof JottyStateSchema>;

/** One file of a run, relative to the run folder, without its codec ending. */
export interface StateFile {
  /** e.g. `jotty_state/memories/shared_memory` (the codec adds `.json`, `.json.gz`, …). */
  stem: string;
  content: unknown;
}

/** The ending of a binary file's stem: `<component stem>.vectors` (written as `.bin`). */
export const VECTORS_SUFFIX = ".vectors";

/** Whether a stem names a binary vectors file. */
export function isVectorsStem(stem: string): boolean {
  return stem.endsWith(VECTORS_SUFFIX);
}

/** The stem of the JSON file a component is saved in: the key of its vectors in `state.vectors`. */
export const COMPONENT_STEMS = {
  sharedMemory: "jotty_state/memories/shared_memory",
  qPredictor: "jotty_state/q_tables/q_predictor_buffer",
  localMemory: (actor: string): string => `jotty_state/memories/local_memories/${actor}`,
} as const;

const SINGLE = {
  config: "config_snapshot",
  summary: "run_summary",
  sharedMemory: "jotty_state/memories/shared_memory",
  qPredictor: "jotty_state/q_tables/q_predictor_buffer",
  todos: "jotty_state/markovian_todos/todo_state",
} as const;

const MANY = {
  localMemories: "jotty_state/memories/local_memories",
  brainState: "jotty_state/brain_state",
  experience: "jotty_state/experience",
} as const;

/** The files of the Vault layout for a state. */
export function splitState(state: JottyState): StateFile[] {
  const files: StateFile[] = [];
  for (const [key, stem] of Object.entries(SINGLE) as Array<[keyof typeof SINGLE, string]>) {
    if (state[key] !== undefined) files.push({ stem, content: state[key] });
  }
  for (const [key, folder] of Object.entries(MANY) as Array<[keyof typeof MANY, string]>) {
    for (const [name, content] of Object.entries(state[key] ?? {})) files.push({ stem: `${folder}/${name}`, content });
  }
  const stems = new Set(files.map((file) => file.stem));
  for (const [stem, bytes] of Object.entries(state.vectors ?? {})) {
    // Vectors of a component not saved would be loaded by nothing.
    if (stems.has(stem)) files.push({ stem: `${stem}${VECTORS_SUFFIX}`, content: bytes });
  }
  return files;
}

/**
 * The state stored in a run's files (the inverse of {@link splitState}), before migration;
 * the schema version comes from the run's manifest.
 *
 * @throws JottyError `snapshot_invalid` for a file the layout does not know.
 */
export function joinState(schemaVersion: number, files: readonly StateFile[]): Record<string, unknown> {
  const state: Record<string, unknown> = { schemaVersion };
  for (const { stem, content } of files) {
    if (isVectorsStem(stem)) {
      const vectors = (state.vectors ?? {}) as Record<string, unknown>;
      vectors[stem.slice(0, -VECTORS_SUFFIX.length)] = content;
      state.vectors = vectors;
      continue;
    }
    const single = (Object.entries(SINGLE) as Array<[string, string]>).find(([, known]) => known === stem);
    if (single !== undefined) {
      state[single[0]] = content;
      continue;
    }
    const many = (Object.entries(MANY) as Array<[string, string]>).find(([, folder]) => stem.startsWith(`${folder}/`));
    if (many === undefined) {
      throw new JottyError({ code: "snapshot_invalid", message: `The run holds a file the Vault layout does not know: ${stem}.` });
    }
    const group = (state[many[0]] ?? {}) as Record<string, unknown>;
    group[stem.slice(many[1].length + 1)] = content;
    state[many[0]] = group;
  }
  return state;
}
