import { Annotation } from "@langchain/langgraph";

/** What Jotty keeps of one run of your graph: its goal, the memories recalled, the decisions taken. */
export interface LearningRecord {
  goal: string;
  taskType: string;
  /** The memories recalled for the run (`<memory>/<id>`). */
  recalled: string[];
  /** The decisions the run took through {@link GraphLearning.decide}, in order. */
  decisions: Array<{ situation: string; action: string }>;
}

/** An update of the record: fields replace, decisions add up; `reset` starts a new run's record. */
export type LearningRecordUpdate = Partial<LearningRecord> & { reset?: boolean };

function emptyRecord(): LearningRecord {
  return { goal: "", taskType: "general", recalled: [], decisions: [] };
}

function mergeRecord(left: LearningRecord, right: LearningRecordUpdate): LearningRecord {
  const { reset = false, decisions = [], ...fields } = right;
  const base = reset ? emptyRecord() : left;
  return { ...base, ...fields, decisions: [...base.decisions, ...decisions] };
}

/**
 * The state fields Jotty's learning nodes read and write; spread them into your graph's
 * `Annotation.Root`. `learnedContext` is the text to show your agent (its system prompt, say);
 * `learning` is Jotty's record of the run.
 *
 * @example
 * ```ts
 * const State = Annotation.Root({ ...LearningAnnotation, request: Annotation<string>, success: Annotation<boolean> });
 * ```
 */
export const LearningAnnotation = {
  learnedContext: Annotation<string>({ reducer: (_left: string, right: string) => right, default: () => "" }),
  learning: Annotation<LearningRecord, LearningRecordUpdate>({ reducer: mergeRecord, default: emptyRecord }),
};

/** The state fields of {@link LearningAnnotation}, as a node sees them. */
export interface LearningFields {
  learnedContext: string;
  learning: LearningRecord;
}
