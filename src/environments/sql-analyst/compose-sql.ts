import type { Intent } from "./tasks.js";

/** The interpretation decisions an episode makes. */
export interface Decisions {
  categoryColumn: "category_code" | "transaction_category";
  dateColumn: "dt" | "ts";
  statuses: "named" | "settled" | "all";
  money: "amount_cents / 100.0" | "amount_cents" | "amount";
  grouping: "none" | "day" | "channel" | "category";
}

/** The house rules: what a careful analyst decides for a question. */
export function goldDecisions(intent: Intent): Decisions {
  return {
    categoryColumn: "category_code",
    dateColumn: "dt",
    statuses: intent.status === undefined ? "settled" : "named",
    money: "amount_cents / 100.0",
    grouping: intent.groupBy ?? "none",
  };
}

/** The SQL a set of decisions makes of a question. */
export function composeSql(intent: Intent, decisions: Decisions): string {
  const date = decisions.dateColumn === "dt" ? "dt" : "substr(ts, 1, 10)";
  const where = [intent.period.from === intent.period.to ? `${date} = '${intent.period.from}'` : `${date} BETWEEN '${intent.period.from}' AND '${intent.period.to}'`];
  if (intent.category !== undefined) where.push(`${decisions.categoryColumn} = '${intent.category}'`);
  if (decisions.statuses === "settled") where.push("status = 'settled'");
  if (decisions.statuses === "named" && intent.status !== undefined) where.push(`status = '${intent.status}'`);
  const value =
    intent.aggregate === "count" ? "COUNT(*)" : `ROUND(${intent.aggregate === "sum" ? "SUM" : "AVG"}(${decisions.money}), 2)`;
  const group =
    decisions.grouping === "none"
      ? undefined
      : decisions.grouping === "day"
        ? date
        : decisions.grouping === "channel"
          ? "channel"
          : decisions.categoryColumn;
  return `SELECT ${group === undefined ? "" : `${group} AS grp, `}${value} AS value FROM transactions WHERE ${where.join(" AND ")}${group === undefined ? "" : " GROUP BY grp ORDER BY grp"}`;
}
