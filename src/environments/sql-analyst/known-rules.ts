/** The right option of one decision of the SQL analyst. */
export interface KnownRule {
  decision: string;
  situation: string;
  use: string;
  /** One of the four house rules (the status rule counts as its two situations). */
  house: boolean;
}

/** The situation of a decision in a few words: its prompt's first sentence, whatever the auditor said before. */
export function situationOf(prompt: string): string {
  const sentence = (prompt.replace(/^The auditor sent the answer back\. /, "").split(/(?<=[.?])\s/)[0] ?? "").replace(/\.$/, "");
  return sentence.charAt(0).toLowerCase() + sentence.slice(1);
}

/**
 * The right option of each decision whose answer does not depend on the data, for scoring what
 * a team learned (never shown to actors): the four house rules, then the answer shapes.
 */
export function knownRules(): KnownRule[] {
  const rule = (decision: string, prompt: string, use: string, house: boolean): KnownRule => ({ decision, situation: situationOf(prompt), use, house });
  return [
    rule("category", "The question filters or groups by transaction category.", "use category_code", true),
    rule("date", "The question is about a date or a range of dates.", "filter dates on dt", true),
    rule("status", "The question names no status.", "only settled ones", true),
    rule("status", "The question names a status.", "only the status the question names", true),
    rule("money", "The question asks for an amount of money.", "amount_cents / 100.0", true),
    ...["day", "channel", "category"].map((name) => rule("shape", `The question asks for a breakdown by ${name}.`, `one row per ${name}`, false)),
    rule("shape", "The question asks for a single figure.", "one overall figure", false),
  ];
}
