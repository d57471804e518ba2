import { JottyError } from "../errors/index.js";
import { boundConfidence, strengthenConfidence, weakenConfidence } from "./causal-confidence.js";
import { invalidArgument } from "./invalid-argument.js";
import type { CausalLink } from "./memory-entry.js";
import type { MemoryTable } from "./memory-table.js";

/** A cause → effect link to add, as {@link HierarchicalMemory.addCausalLink} takes it. */
export interface CausalLinkInput {
  from: string;
  to: string;
  /** @default "causes" */
  relation?: string;
  /** Starting confidence, brought into [0.1, 0.99]. @default 0.5 */
  confidence?: number;
}

/** Which link: from a cause to an effect, by relation. */
export interface CausalLinkKey {
  from: string;
  to: string;
  relation: string;
}

/**
 * The causal links between memories: kept on the cause's entry, and noted in the table so
 * removing the effect drops them. Evidence moves a link's confidence by small steps within
 * bounds, so no single episode makes it certain or dismisses it.
 */
export class CausalLinks {
  private readonly table: MemoryTable;

  /** @param table - the memories the links join. */
  constructor(table: MemoryTable) {
    this.table = table;
  }

  /**
   * Links a cause to an effect; linking again strengthens the existing link. Returns the link's
   * confidence.
   *
   * @throws JottyError `memory_not_found` when either memory is missing, `invalid_argument` for
   *   a confidence that is not a number.
   */
  add({ from, to, relation = "causes", confidence = 0.5 }: CausalLinkInput): number {
    const source = this.table.require(from);
    this.table.require(to);
    if (!Number.isFinite(confidence)) throw invalidArgument(`A causal confidence must be a number, got ${confidence}.`);
    const existing = source.causalLinks.find((link) => link.target === to && link.relation === relation);
    if (existing !== undefined) {
      existing.confidence = strengthenConfidence(existing.confidence);
      return existing.confidence;
    }
    const link = { target: to, relation, confidence: boundConfidence(confidence) };
    source.causalLinks.push(link);
    this.table.noteLink(from, to);
    return link.confidence;
  }

  /**
   * Supporting evidence: c ← c + 0.1(1 − c), at most 0.99. Returns the new confidence.
   *
   * @throws JottyError `memory_not_found` when there is no such link.
   */
  strengthen(key: CausalLinkKey): number {
    const link = this.find(key);
    link.confidence = strengthenConfidence(link.confidence);
    return link.confidence;
  }

  /**
   * Contradicting evidence: c ← c − 0.1c, at least 0.1. Returns the new confidence.
   *
   * @throws JottyError `memory_not_found` when there is no such link.
   */
  weaken(key: CausalLinkKey): number {
    const link = this.find(key);
    link.confidence = weakenConfidence(link.confidence);
    return link.confidence;
  }

  private find({ from, to, relation }: CausalLinkKey): CausalLink {
    const link = this.table.require(from).causalLinks.find((candidate) => candidate.target === to && candidate.relation === relation);
    if (link === undefined) {
      throw new JottyError({
        code: "memory_not_found",
        message: `No "${relation}" link from ${from} to ${to}; add it with addCausalLink first.`,
        details: { from, to, relation },
      });
    }
    return link;
  }
}
