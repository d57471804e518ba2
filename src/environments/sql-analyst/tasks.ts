import { z } from "zod";
import { issueList, JottyError } from "../../errors/index.js";
import { Rng } from "../../util/index.js";
import { CATEGORIES, type Category } from "./data.js";

/** A real calendar date, YYYY-MM-DD. */
export const CalendarDateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date YYYY-MM-DD")
  .refine((text) => {
    const time = Date.parse(`${text}T00:00:00Z`);
    return Number.isFinite(time) && new Date(time).toISOString().slice(0, 10) === text;
  }, "must be a date that exists (month 01–12, a day the month has)");

/** The structured reading of a question: what offline actors work from. */
export const IntentSchema = z.strictObject({
  aggregate: z.enum(["count", "sum", "avg"]),
  category: z.enum(CATEGORIES).optional(),
  period: z.strictObject({ label: z.string(), from: CalendarDateSchema, to: CalendarDateSchema }),
  groupBy: z.enum(["day", "channel", "category"]).optional(),
  /** A status the question names; without one, only settled transactions count. */
  status: z.enum(["pending", "failed"]).optional(),
});

/** The structured reading of a question. */
export type Intent = z.infer<typeof IntentSchema>;

/** A question with its reading and its correct SQL. */
export const SqlTaskSchema = z.strictObject({
  id: z.string(),
  template: z.string(),
  question: z.string().min(1),
  intent: IntentSchema,
  goldSql: z.string().min(1),
  heldOut: z.boolean().default(false),
});

/** A question with its reading and its correct SQL. */
export type SqlTask = z.infer<typeof SqlTaskSchema>;

const PHRASES = {
  count: [
    "How many {cat}transactions {st}were there {period}{grp}?",
    "Count the {cat}transactions {st}{period}{grp}.",
    "What was the number of {cat}payments {st}{period}{grp}?",
    "Give me the {cat}transaction count {st}{period}{grp}.",
  ],
  sum: [
    "What was the total value of {cat}transactions {st}{period}{grp}?",
    "Sum up the amount of {cat}payments {st}{period}{grp}.",
    "How much money moved in {cat}transactions {st}{period}{grp}?",
    "Total {cat}payment volume {st}{period}{grp}?",
  ],
  avg: [
    "What was the average {cat}transaction amount {st}{period}{grp}?",
    "Average value of {cat}payments {st}{period}{grp}?",
    "How large was the mean {cat}transaction {st}{period}{grp}?",
    "Typical {cat}payment size {st}{period}{grp}, on average?",
  ],
} as const;

const GROUP_PHRASES = {
  day: [" per day", " for each day", " day by day", " broken down by day"],
  channel: [" by channel", " per channel", " for each channel", " broken down by channel"],
  category: [" by category", " per category", " for each category", " broken down by category"],
} as const;

const CATEGORY_WORDS: Record<Category, readonly string[]> = {
  P2P: ["P2P", "peer-to-peer"],
  MERCHANT: ["merchant", "card"],
  BILL: ["bill", "bill-payment"],
  ATM: ["ATM", "cash machine"],
  REFUND: ["refund", "refunded"],
};

const STATUS_WORDS = { failed: "that failed ", pending: "still pending " } as const;

/** The paraphrase kept for evaluation only. */
export const HELD_OUT_PARAPHRASE = 3;

function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** The date expressions questions use, relative to "today". */
export function periods(today: string): Intent["period"][] {
  const year = Number(today.slice(0, 4));
  const month = today.slice(0, 7);
  const previousMonthStart = new Date(Date.UTC(year, Number(today.slice(5, 7)) - 2, 1)).toISOString().slice(0, 10);
  const previousMonthEnd = addDays(`${month}-01`, -1);
  const monthName = new Date(`${previousMonthStart}T00:00:00Z`).toLocaleString("en", { month: "long", timeZone: "UTC" });
  return [
    { label: "yesterday", from: addDays(today, -1), to: addDays(today, -1) },
    { label: `on ${addDays(today, -12)}`, from: addDays(today, -12), to: addDays(today, -12) },
    { label: "last week", from: addDays(today, -7), to: addDays(today, -1) },
    { label: "this month", from: `${month}-01`, to: today },
    { label: `in ${monthName}`, from: previousMonthStart, to: previousMonthEnd },
    { label: "in December 2025", from: "2025-12-01", to: "2025-12-31" },
  ];
}

/** The 42 templates: every aggregate × category filter or not × grouping × status named or not. */
export function templates(): Array<{ id: string; aggregate: Intent["aggregate"]; withCategory: boolean; groupBy?: Intent["groupBy"]; withStatus: boolean }> {
  const result: ReturnType<typeof templates> = [];
  for (const aggregate of ["count", "sum", "avg"] as const) {
    for (const withCategory of [true, false]) {
      const groups: Array<Intent["groupBy"]> = withCategory ? [undefined, "day", "channel"] : [undefined, "day", "channel", "category"];
      for (const groupBy of groups) {
        for (const withStatus of [false, true]) {
          result.push({
            id: `${aggregate}${withCategory ? "-category" : ""}${groupBy === undefined ? "" : `-by-${groupBy}`}${withStatus ? "-status" : ""}`,
            aggregate,
            withCategory,
            ...(groupBy === undefined ? {} : { groupBy }),
            withStatus,
          });
        }
      }
    }
  }
  return result;
}

/** The question of an intent in one of its paraphrases. */
export function phrase(intent: Intent, paraphrase: number): string {
  const pattern = PHRASES[intent.aggregate][paraphrase] as string;
  const category = intent.category === undefined ? "" : `${CATEGORY_WORDS[intent.category][paraphrase % 2] as string} `;
  const status = intent.status === undefined ? "" : STATUS_WORDS[intent.status];
  const group = intent.groupBy === undefined ? "" : (GROUP_PHRASES[intent.groupBy][paraphrase] as string);
  const text = pattern.replace("{cat}", category).replace("{st}", status).replace("{period}", intent.period.label).replace("{grp}", group);
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * The built-in tasks, drawn from the seed: `perTemplate` parameter draws for each template,
 * asked in paraphrases 0–2 for training and paraphrase 3 for the held-out split.
 */
export function builtInTasks({
  seed,
  today,
  perTemplate = 3,
  goldSql,
}: {
  seed: number;
  today: string;
  perTemplate?: number;
  goldSql: (intent: Intent) => string;
}): { train: SqlTask[]; heldOut: SqlTask[] } {
  const rng = new Rng(seed);
  const dates = periods(today);
  const train: SqlTask[] = [];
  const heldOut: SqlTask[] = [];
  for (const template of templates()) {
    for (let draw = 0; draw < perTemplate; draw += 1) {
      const intent: Intent = {
        aggregate: template.aggregate,
        period: rng.choice(dates),
        ...(template.withCategory ? { category: rng.choice(CATEGORIES) } : {}),
        ...(template.groupBy === undefined ? {} : { groupBy: template.groupBy }),
        ...(template.withStatus ? { status: rng.choice(["pending", "failed"] as const) } : {}),
      };
      for (let paraphrase = 0; paraphrase <= HELD_OUT_PARAPHRASE; paraphrase += 1) {
        const task: SqlTask = {
          id: `${template.id}#${draw}.${paraphrase}`,
          template: template.id,
          question: phrase(intent, paraphrase),
          intent,
          goldSql: goldSql(intent),
          heldOut: paraphrase === HELD_OUT_PARAPHRASE,
        };
        (task.heldOut ? heldOut : train).push(task);
      }
    }
  }
  return { train, heldOut };
}

/**
 * Refuses tasks that share an id.
 *
 * @throws JottyError `invalid_argument` listing the repeated ids.
 */
export function assertUniqueIds(tasks: readonly SqlTask[], source: string): void {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const task of tasks) {
    if (seen.has(task.id)) repeated.add(task.id);
    seen.add(task.id);
  }
  if (repeated.size === 0) return;
  const ids = [...repeated];
  throw new JottyError({ code: "invalid_argument", message: `${source} must have unique ids; repeated: ${ids.slice(0, 5).join(", ")}. Give each task its own id.`, details: { repeated: ids } });
}

/**
 * Tasks from JSONL text, one `{ question, intent, goldSql }` a line (`id`, `template` and
 * `heldOut` optional).
 *
 * @throws JottyError `invalid_argument` naming the first bad line.
 */
export function parseTasksJsonl(text: string, source = "tasks file"): SqlTask[] {
  const tasks: SqlTask[] = [];
  text.split("\n").forEach((line, index) => {
    if (line.trim() === "") return;
    let data: unknown;
    try {
      data = JSON.parse(line);
    } catch {
      throw new JottyError({ code: "invalid_argument", message: `${source} line ${index + 1} is not JSON.` });
    }
    const withDefaults = { id: `task-${index + 1}`, template: "custom", ...(data as object) };
    const parsed = SqlTaskSchema.safeParse(withDefaults);
    if (!parsed.success) {
      throw new JottyError({
        code: "invalid_argument",
        message: `${source} line ${index + 1} is not a task: ${issueList(parsed.error).join("; ")}.`,
      });
    }
    if (tasks.some((task) => task.id === parsed.data.id)) {
      throw new JottyError({ code: "invalid_argument", message: `${source} line ${index + 1} repeats the id "${parsed.data.id}" of an earlier task; give each task its own id.` });
    }
    tasks.push(parsed.data);
  });
  if (tasks.length === 0) throw new JottyError({ code: "invalid_argument", message: `${source} holds no tasks.` });
  return tasks;
}
