import type { Cause, MetaStatement, Procedure } from "./derive-knowledge.js";
import type { KnowledgeLesson } from "./derive-lessons.js";
import { CONFIG_DEFAULTS } from "../config/index.js";

/** A concrete example for the learned context: a memory, with what it says and its evidence. */
export interface ContextExample {
  /** The memory's id, so what was shown can be credited. */
  id: string;
  /** `success` examples show a path that worked; others are left out unless they name a cause. */
  kind: string;
  content: string;
  value: number;
}

/** A playbook strategy for the learned context. */
export interface ContextStrategy {
  type: "helpful" | "harmful" | "neutral";
  description: string;
  helpful: number;
  harmful: number;
}

/** What the learned context of one decision is made of. */
export interface LearnedContextInput {
  /** Lessons of the decision's own point, best first. */
  rules: readonly KnowledgeLesson[];
  /** Other lessons of the task (other points of the same team), best first. */
  related?: readonly KnowledgeLesson[];
  procedure?: Procedure | undefined;
  causes?: readonly Cause[];
  meta?: MetaStatement | undefined;
  examples?: readonly ContextExample[];
  strategies?: readonly ContextStrategy[];
  /** Budget, in tokens of about four characters. @default 400 */
  maxTokens?: number;
  /** Rules of the decision's own point shown at most. @default 3 */
  maxRules?: number;
  /** Examples shown at most. @default 2 */
  maxExamples?: number;
}

/** The rendered context and which memories it showed. */
export interface LearnedContext {
  text: string;
  /** Ids of the memories it showed, in order. */
  memories: string[];
  /** Every line, in order, for inspection. */
  lines: string[];
}

const tokens = (text: string): number => Math.ceil(text.length / 4);
const quoted = (text: string, option: string): boolean => text.toLowerCase().includes(option.toLowerCase());

/**
 * The learned context of one decision, as one product: the few highest-confidence rules for
 * this situation first, then the task's procedure, causes and what matters, then a few concrete
 * examples and playbook strategies — each with its evidence, none repeated, and nothing that
 * contradicts a rule (an example or strategy recommending what a rule says to avoid is left out).
 * Stops at the token budget.
 */
export function renderLearnedContext(input: LearnedContextInput): LearnedContext {
  const budget = input.maxTokens ?? CONFIG_DEFAULTS.conductor.knowledge.maxTokens;
  const lines: string[] = [];
  const memories: string[] = [];
  const seen = new Set<string>();
  let used = 0;
  const push = (line: string, memory?: string): boolean => {
    if (seen.has(line)) return true;
    const cost = tokens(line) + 1;
    if (used + cost > budget) return false;
    seen.add(line);
    lines.push(line);
    used += cost;
    if (memory !== undefined) memories.push(memory);
    return true;
  };
  const all = [...input.rules, ...(input.related ?? [])];
  const avoided = all.flatMap((lesson) => (lesson.kind === "avoid" ? [lesson.option] : lesson.instead));
  const recommended = all.flatMap((lesson) => (lesson.kind === "use" ? [lesson.option] : []));
  const ownRules = input.rules.slice(0, input.maxRules ?? 3);
  if (ownRules.length > 0 && push("Rules for this decision (from what worked and what failed):")) {
    for (const lesson of ownRules) if (!push(`- ${lesson.text}`)) break;
  }
  const related = (input.related ?? []).filter((lesson) => !ownRules.includes(lesson)).slice(0, 4);
  if (related.length > 0 && push("Rules for the other decisions of this task:")) {
    for (const lesson of related) if (!push(`- ${lesson.text}`)) break;
  }
  if (input.procedure !== undefined) push(input.procedure.text);
  for (const cause of (input.causes ?? []).slice(0, 3)) if (!push(`Cause: ${cause.text}`)) break;
  if (input.meta !== undefined) push(`What matters: ${input.meta.text}`);
  const examples = (input.examples ?? [])
    .filter((example) => example.kind === "success" && example.content.trim() !== "" && !avoided.some((option) => quoted(example.content, option)))
    .slice(0, input.maxExamples ?? 2);
  if (examples.length > 0 && push("Examples:")) {
    for (const example of examples) if (!push(`- ${example.content} (V=${example.value.toFixed(2)})`, example.id)) break;
  }
  const strategies = (input.strategies ?? []).filter((strategy) =>
    strategy.type !== "harmful"
      ? !avoided.some((option) => quoted(strategy.description, option))
      : !recommended.some((option) => quoted(strategy.description, option)),
  );
  if (strategies.length > 0 && push("Playbook:")) {
    for (const strategy of strategies) {
      const line = `- ${strategy.type === "harmful" ? "Avoid" : strategy.type === "helpful" ? "Strategy" : "Note"}: ${strategy.description} (helped ${strategy.helpful}, harmed ${strategy.harmful})`;
      if (!push(line)) break;
    }
  }
  return { text: lines.join("\n"), memories, lines };
}
