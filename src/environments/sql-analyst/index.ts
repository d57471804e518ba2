export { SqlAnalyst, SqlAnalystOptionsSchema } from "./sql-analyst.js";
export type { SqlAnalystOptions } from "./sql-analyst.js";
export { builtInTasks, HELD_OUT_PARAPHRASE, IntentSchema, parseTasksJsonl, periods, phrase, SqlTaskSchema, templates } from "./tasks.js";
export type { Intent, SqlTask } from "./tasks.js";
export { composeSql, goldDecisions } from "./compose-sql.js";
export type { Decisions } from "./compose-sql.js";
export { CATEGORIES, SCHEMA } from "./data.js";
export { knownRules } from "./known-rules.js";
export type { KnownRule } from "./known-rules.js";
