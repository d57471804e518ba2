import type { Decisions } from "./compose-sql.js";
import type { Intent } from "./tasks.js";

/** The decisions of an episode, in the order they are asked. */
export type Kind = "category" | "date" | "status" | "money" | "shape" | "audit";

/** An option of a decision, and what choosing it decides. */
export interface Choice {
  label: string;
  apply: (decisions: Partial<Decisions>) => void;
}

/** A decision as the team meets it: its prompt, the capability it asks for, its options. */
export interface DecisionChoices {
  prompt: string;
  capability: string;
  options: Choice[];
}

/** Where the episode stands when a decision is asked. */
export interface ChoiceContext {
  intent: Intent;
  sentBack: boolean;
  /** The options chosen so far, in order. */
  chosen: readonly string[];
  /** Whether the query writer may answer with its own SELECT. */
  acceptSql: boolean;
  /** What the answer's query gave, for the auditor. */
  result?: { count: number; error?: string; empty: boolean; labelled: boolean };
}

const GROUP_NAMES = { day: "day", channel: "channel", category: "category" } as const;

const SCHEMA_TEXT =
  "transactions(txn_id, dt, ts, amount_cents, currency, category_code, transaction_category, channel, status, sender_id, receiver_id, merchant_id), " +
  "users(user_id, signup_dt, country, tier), merchants(merchant_id, name, mcc, country)";

/** The prompt, capability and options of one decision of an episode. */
export function decisionChoices(kind: Kind, episode: ChoiceContext): DecisionChoices {
  const { intent } = episode;
  switch (kind) {
    case "category":
      return {
        prompt: "The question filters or groups by transaction category. Which column holds the category?",
        capability: "schema",
        options: [
          { label: "use category_code", apply: (d) => (d.categoryColumn = "category_code") },
          { label: "use transaction_category", apply: (d) => (d.categoryColumn = "transaction_category") },
        ],
      };
    case "date":
      return {
        prompt: "The question is about a date or a range of dates. Which column gives the date?",
        capability: "schema",
        options: [
          { label: "filter dates on dt", apply: (d) => (d.dateColumn = "dt") },
          { label: "filter dates on ts", apply: (d) => (d.dateColumn = "ts") },
        ],
      };
    case "status":
      return intent.status === undefined
        ? {
            prompt: "The question names no status. Which transactions count?",
            capability: "schema",
            options: [
              { label: "only settled ones", apply: (d) => (d.statuses = "settled") },
              { label: "all statuses", apply: (d) => (d.statuses = "all") },
            ],
          }
        : {
            prompt: "The question names a status. Which transactions count?",
            capability: "schema",
            options: [
              { label: "only the status the question names", apply: (d) => (d.statuses = "named") },
              { label: "only settled ones", apply: (d) => (d.statuses = "settled") },
              { label: "all statuses", apply: (d) => (d.statuses = "all") },
            ],
          };
    case "money":
      return {
        prompt: "The question asks for an amount of money. How is money expressed?",
        capability: "schema",
        options: [
          { label: "amount_cents / 100.0", apply: (d) => (d.money = "amount_cents / 100.0") },
          { label: "amount_cents", apply: (d) => (d.money = "amount_cents") },
          { label: "amount", apply: (d) => (d.money = "amount") },
        ],
      };
    case "shape": {
      const again = episode.sentBack ? "The auditor sent the answer back. " : "";
      const own = episode.acceptSql
        ? ` Or answer with one SELECT statement of your own over ${SCHEMA_TEXT}, following the team's decisions so far (${episode.chosen.join("; ")}); name a grouping column grp.`
        : "";
      const groupBy = intent.groupBy;
      if (groupBy !== undefined) {
        const name = GROUP_NAMES[groupBy];
        return {
          prompt: `${again}The question asks for a breakdown by ${name}. What shape should the answer have?${own}`,
          capability: "query",
          options: [
            { label: `one row per ${name}`, apply: (d) => (d.grouping = groupBy) },
            { label: "one overall figure", apply: (d) => (d.grouping = "none") },
          ],
        };
      }
      return {
        prompt: `${again}The question asks for a single figure. What shape should the answer have?${own}`,
        capability: "query",
        options: [
          { label: "one overall figure", apply: (d) => (d.grouping = "none") },
          { label: "one row per day", apply: (d) => (d.grouping = "day") },
        ],
      };
    }
    case "audit": {
      const result = episode.result;
      // What an auditor checks: an error, no rows, one plain figure, or rows labelled by a group.
      const outcome =
        result?.error !== undefined
          ? "The query failed with an error"
          : result?.count === 0
            ? "The query returned no rows"
            : result?.labelled === true
              ? result.count === 1
                ? "The query returned one labelled row"
                : "The query returned several labelled rows"
              : result?.empty === true
                ? "The query returned a single figure that is zero or empty"
                : "The query returned a single figure";
      return {
        prompt: `${outcome}, for a question that asks for ${intent.groupBy === undefined ? "a single figure" : "a breakdown"}. Accept it?`,
        capability: "audit",
        options: [
          { label: "accept the answer", apply: () => undefined },
          ...(episode.sentBack ? [] : [{ label: "send back the last decision", apply: () => undefined }]),
        ],
      };
    }
  }
}
