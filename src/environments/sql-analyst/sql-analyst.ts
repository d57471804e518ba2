import initSqlJs, { type Database } from "sql.js";
import { z } from "zod";
import { errorMessage, issueList, JottyError, type JsonValue } from "../../errors/index.js";
import type { Rng } from "../../util/index.js";
import { parseEnvironmentOptions, type Environment, type EnvironmentReset, type EnvironmentStep, type ResetOptions } from "../environment.js";
import { composeSql, goldDecisions, type Decisions } from "./compose-sql.js";
import { populate } from "./data.js";
import { decisionChoices, type DecisionChoices, type Kind } from "./decision-choices.js";
import { situationOf } from "./known-rules.js";
import { SqlSandbox, type SqlResult } from "./sql-sandbox.js";
import { assertUniqueIds, builtInTasks, CalendarDateSchema, SqlTaskSchema, type SqlTask } from "./tasks.js";

/** Options of {@link SqlAnalyst}. */
export const SqlAnalystOptionsSchema = z.strictObject({
  /** The fixed "today" questions are relative to. @default 2026-03-15 */
  today: CalendarDateSchema.default("2026-03-15"),
  /** Seed of the generated data and of the built-in tasks. @default 7 */
  seed: z.int().min(0).default(7),
  /** Transactions a day, about; enough that a wrong reading rarely gives the right number by chance. @default 200 */
  perDay: z.int().positive().max(2000).default(200),
  /** Parameter draws of each built-in template (42 templates × 4 paraphrases each). @default 3 */
  tasksPerTemplate: z.int().positive().max(20).default(3),
  /** Tasks to use instead of the built-in ones (e.g. from a JSONL file); `heldOut` marks the evaluation split. */
  tasks: z.array(SqlTaskSchema).min(1).optional(),
  /** Reward of an accepted answer whose SQL failed. @default -0.1 */
  sqlErrorReward: z.number().max(0).default(-0.1),
  /**
   * Let the query step answer with its own SELECT statement instead of choosing a shape (for
   * an LLM query writer). The statement runs inside a savepoint that is rolled back, so it
   * can never change the data. @default false
   */
  acceptSql: z.boolean().default(false),
  /** The longest one SQL statement (an answer's or a task's gold SQL) may run; a slower one fails. @default 2000 */
  statementTimeoutMs: z.int().positive().max(600_000).default(2000),
});

/** Options a user writes for {@link SqlAnalyst}. */
export type SqlAnalystOptions = z.input<typeof SqlAnalystOptionsSchema>;

/** A running question: what has been decided, and the answer once composed. */
const EpisodeSchema = z.strictObject({
  task: SqlTaskSchema,
  kinds: z.array(z.enum(["category", "date", "status", "money", "shape", "audit"])),
  index: z.int().min(0),
  decisions: z.strictObject({
    categoryColumn: z.enum(["category_code", "transaction_category"]).optional(),
    dateColumn: z.enum(["dt", "ts"]).optional(),
    statuses: z.enum(["named", "settled", "all"]).optional(),
    money: z.enum(["amount_cents / 100.0", "amount_cents", "amount"]).optional(),
    grouping: z.enum(["none", "day", "channel", "category"]).optional(),
  }),
  /** The options chosen so far, in order: the team's working notes. */
  chosen: z.array(z.string()),
  sentBack: z.boolean(),
  /** A SELECT statement the query writer wrote itself, when `acceptSql` allows it. */
  written: z.string().optional(),
  result: z.strictObject({ rows: z.string(), count: z.int(), error: z.string().optional(), empty: z.boolean(), labelled: z.boolean() }).optional(),
  done: z.boolean(),
});

interface Episode {
  task: SqlTask;
  kinds: Kind[];
  index: number;
  decisions: Partial<Decisions>;
  chosen: string[];
  sentBack: boolean;
  written?: string;
  result?: { rows: string; count: number; error?: string; empty: boolean; labelled: boolean };
  done: boolean;
}

/** Whether an action is a SQL query the query writer wrote itself. */
function isSql(action: string): boolean {
  return /^\s*(select|with)\b/i.test(action);
}

const normalise = (action: string): string => action.trim().replace(/\s+/g, " ").toLowerCase();

function rowsKey(values: unknown[][]): string {
  return JSON.stringify(values.map((row) => row.map((value) => (typeof value === "number" ? Math.round(value * 100) / 100 : value))));
}

/**
 * An analyst team answers questions over a payments database whose naive reading is wrong.
 * The house rules are never told: filter dates on `dt` (not the UTC `ts`), use
 * `category_code` (not the deprecated `transaction_category`), count only settled
 * transactions unless the question names a status, and money is `amount_cents / 100.0`.
 *
 * An episode is a question. The team decides one interpretation at a time — category column
 * (capability `schema`), date column, statuses, money (for sums and averages), then the
 * answer's shape (`query`) — the SQL is composed and run, and an auditor (`audit`) accepts the
 * answer or sends the last decision back once. An accepted right answer earns 1, a SQL error
 * a small negative reward, anything else 0. Embedded SQLite through sql.js; data from the seed.
 */
export class SqlAnalyst implements Environment {
  readonly name = "sql-analyst";
  readonly description: string;
  readonly today: string;
  private readonly options: z.output<typeof SqlAnalystOptionsSchema>;
  private readonly trainTasks: SqlTask[];
  private readonly heldOutTasks: SqlTask[];
  private databasePromise: Promise<Database> | undefined;
  private sandboxPromise: Promise<SqlSandbox> | undefined;
  private readonly goldResults = new Map<string, string>();
  private episode: Episode | undefined;

  /** @throws JottyError `invalid_argument` naming every bad option. */
  constructor(input: SqlAnalystOptions = {}) {
    this.options = parseEnvironmentOptions(SqlAnalystOptionsSchema, input, "sql-analyst");
    this.today = this.options.today;
    const tasks = this.options.tasks;
    if (tasks === undefined) {
      const builtIn = builtInTasks({
        seed: this.options.seed,
        today: this.today,
        perTemplate: this.options.tasksPerTemplate,
        goldSql: (intent) => composeSql(intent, goldDecisions(intent)),
      });
      this.trainTasks = builtIn.train;
      this.heldOutTasks = builtIn.heldOut;
    } else {
      // Gold answers are kept by id: two tasks with one id would be graded against one answer.
      assertUniqueIds(tasks, "sql-analyst tasks");
      this.trainTasks = tasks.filter((task) => !task.heldOut);
      this.heldOutTasks = tasks.filter((task) => task.heldOut);
      if (this.trainTasks.length === 0) this.trainTasks = tasks;
    }
    this.description = `Answer analysts' questions about payments (transactions, users, merchants) with correct SQL; "today" is ${this.today}.`;
  }

  /** The training tasks or the held-out (evaluation) ones. */
  tasks(split: "train" | "heldOut" = "train"): SqlTask[] {
    return (split === "train" ? this.trainTasks : this.heldOutTasks).map((task) => structuredClone(task));
  }

  /** The database, generated on first use. */
  async database(): Promise<Database> {
    this.databasePromise ??= (async () => {
      const SQL = await initSqlJs();
      const db = new SQL.Database();
      populate(db, { seed: this.options.seed, today: this.today, perDay: this.options.perDay });
      return db;
    })();
    return this.databasePromise;
  }

  /** Runs a query (read-only, within the time limit); returns its rows, or throws the database's error. */
  async query(sql: string): Promise<unknown[][]> {
    return (await this.queryWithColumns(sql)).values;
  }

  /** Runs a query (read-only, within the time limit); returns its column names and rows, or throws the database's error. */
  async queryWithColumns(sql: string): Promise<SqlResult> {
    return this.readOnly(sql);
  }

  private async goldKey(task: SqlTask): Promise<string> {
    let key = this.goldResults.get(task.id);
    if (key === undefined) {
      // Gold SQL may come from a user's file: it runs read-only like any answer.
      key = rowsKey((await this.readOnly(task.goldSql)).values);
      this.goldResults.set(task.id, key);
    }
    return key;
  }

  /**
   * Runs every task's gold SQL once, so a broken task file is refused before training.
   *
   * @throws JottyError `invalid_argument` listing each task whose gold SQL fails.
   */
  async checkTasks(): Promise<void> {
    const failures: string[] = [];
    for (const task of [...this.trainTasks, ...this.heldOutTasks]) {
      try {
        await this.goldKey(task);
      } catch (error) {
        failures.push(`"${task.question}": ${errorMessage(error)}`);
      }
    }
    if (failures.length > 0) {
      throw new JottyError({
        code: "invalid_argument",
        message: `${failures.length} task${failures.length === 1 ? "'s" : "s'"} gold SQL fails; fix the tasks:\n${failures.map((failure) => `  - ${failure}`).join("\n")}`,
        details: { failures },
      });
    }
  }

  private choices(episode: Episode, kind: Kind): DecisionChoices {
    return decisionChoices(kind, {
      intent: episode.task.intent,
      sentBack: episode.sentBack,
      chosen: episode.chosen,
      acceptSql: this.options.acceptSql,
      ...(episode.result === undefined ? {} : { result: episode.result }),
    });
  }

  private present(episode: Episode): EnvironmentReset {
    const kind = episode.kinds[episode.index] as Kind;
    const { prompt, capability, options } = this.choices(episode, kind);
    return {
      observation: prompt,
      actions: options.map((option) => option.label),
      info: { capability, decision: kind, situation: situationOf(prompt), taskId: episode.task.id, question: episode.task.question },
    };
  }

  async reset(_rng: Rng, options: ResetOptions = {}): Promise<EnvironmentReset> {
    let task: SqlTask;
    if (options.task !== undefined) {
      const parsed = SqlTaskSchema.safeParse(options.task);
      if (!parsed.success) {
        throw new JottyError({ code: "invalid_argument", message: "reset's task is not a SQL-analyst task ({ question, intent, goldSql })." });
      }
      task = parsed.data;
    } else {
      task = _rng.choice(this.trainTasks);
    }
    const { intent } = task;
    const kinds: Kind[] = [];
    if (intent.category !== undefined || intent.groupBy === "category") kinds.push("category");
    kinds.push("date", "status");
    if (intent.aggregate !== "count") kinds.push("money");
    kinds.push("shape", "audit");
    await this.database();
    this.episode = { task, kinds, index: 0, decisions: {}, chosen: [], sentBack: false, done: false };
    return this.present(this.episode);
  }

  /** The running question, for resuming it after a crash. */
  snapshotEpisode(): JsonValue | undefined {
    return this.episode === undefined ? undefined : (structuredClone(this.episode) as unknown as JsonValue);
  }

  async restoreEpisode(snapshot: JsonValue): Promise<void> {
    const parsed = EpisodeSchema.safeParse(snapshot);
    if (!parsed.success) {
      throw new JottyError({ code: "snapshot_invalid", message: `Not a sql-analyst episode: ${issueList(parsed.error, { limit: 3 }).join("; ")}; pass what snapshotEpisode() returned.` });
    }
    await this.database();
    // The schema is the interface's, read with optional fields that may be absent.
    this.episode = parsed.data as Episode;
  }

  async step(action: string): Promise<EnvironmentStep> {
    const episode = this.episode;
    if (episode === undefined) {
      throw new JottyError({ code: "environment_not_ready", message: "The sql-analyst environment has no episode yet; call reset(rng) before step(action)." });
    }
    if (episode.done) {
      throw new JottyError({ code: "episode_done", message: "The sql-analyst episode is over; call reset(rng) to start a new one." });
    }
    const kind = episode.kinds[episode.index] as Kind;
    const { options } = this.choices(episode, kind);
    const choice = options.find((option) => normalise(option.label) === normalise(String(action)));
    if (choice === undefined && kind === "shape" && this.options.acceptSql && isSql(String(action))) {
      episode.written = String(action).trim();
      episode.chosen.push("wrote its own SQL");
      episode.index += 1;
      episode.result = await this.audit(episode.written);
      return { ...this.present(episode), reward: 0, done: false };
    }
    if (choice === undefined) {
      throw new JottyError({
        code: "invalid_action",
        message: `"${String(action)}" is not an action of sql-analyst here; choose one of: ${options.map((option) => `"${option.label}"`).join(", ")}.`,
        details: { action: String(action), candidates: options.map((option) => option.label) },
      });
    }
    if (kind === "audit") {
      if (choice.label === "send back the last decision") {
        episode.sentBack = true;
        episode.index -= 1;
        episode.chosen.pop();
        delete episode.result;
        delete episode.written;
        return { ...this.present(episode), reward: 0, done: false };
      }
      episode.done = true;
      const result = episode.result as NonNullable<Episode["result"]>;
      const correct = result.error === undefined && result.rows === (await this.goldKey(episode.task));
      const reward = result.error !== undefined ? this.options.sqlErrorReward : correct ? 1 : 0;
      return {
        observation: correct ? "The answer was right." : result.error !== undefined ? `The query failed: ${result.error}` : "The answer was wrong.",
        actions: [],
        reward,
        done: true,
        info: { success: correct, taskId: episode.task.id, sql: episode.written ?? composeSql(episode.task.intent, this.completed(episode)), decisions: [...episode.chosen] },
      };
    }
    choice.apply(episode.decisions);
    episode.chosen.push(choice.label);
    episode.index += 1;
    if (episode.kinds[episode.index] === "audit") episode.result = await this.audit(composeSql(episode.task.intent, this.completed(episode)));
    return { ...this.present(episode), reward: 0, done: false };
  }

  /** Runs the answer's SQL for the auditor; a query of the team's own runs read-only. */
  private async audit(sql: string): Promise<NonNullable<Episode["result"]>> {
    try {
      const { columns, values: rows } = await this.readOnly(sql);
      const first = rows[0]?.at(-1);
      return { rows: rowsKey(rows), count: rows.length, empty: rows.length === 1 && (first === null || first === 0), labelled: columns.includes("grp") };
    } catch (error) {
      return { rows: "", count: 0, empty: true, labelled: false, error: errorMessage(error) };
    }
  }

  /**
   * The answer key's option at the current decision (never shown to actors): the house rules'
   * choice, and accepting the answer at the audit.
   */
  goldAction(): string | undefined {
    const episode = this.episode;
    if (episode === undefined || episode.done) return undefined;
    const kind = episode.kinds[episode.index] as Kind;
    const { options } = this.choices(episode, kind);
    if (kind === "audit") return options[0]?.label;
    const gold: Record<string, unknown> = { ...goldDecisions(episode.task.intent) };
    return options.find((option) => {
      const decided: Record<string, unknown> = {};
      option.apply(decided);
      return Object.keys(decided).length > 0 && Object.entries(decided).every(([key, value]) => gold[key] === value);
    })?.label;
  }

  /** Ends the worker that runs its SQL (a later query starts another). */
  async close(): Promise<void> {
    const sandbox = this.sandboxPromise;
    this.sandboxPromise = undefined;
    await sandbox?.then((started) => started.close());
  }

  /** One statement that reads, in a worker over a copy of the data, stopped at `statementTimeoutMs`. */
  private async readOnly(sql: string): Promise<SqlResult> {
    this.sandboxPromise ??= this.database().then((db) => new SqlSandbox(db.export(), this.options.statementTimeoutMs));
    return (await this.sandboxPromise).run(sql);
  }

  private completed(episode: Episode): Decisions {
    return { ...goldDecisions(episode.task.intent), ...episode.decisions };
  }
}
