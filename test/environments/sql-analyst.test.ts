import type { BaseMessage } from "@langchain/core/messages";
import { AIMessage } from "@langchain/core/messages";
import type { ChatResult } from "@langchain/core/outputs";
import { FakeListChatModel } from "@langchain/core/utils/testing";
import { describe, expect, it } from "vitest";
import { composeSql, Conductor, goldDecisions, JottyError, parseTasksJsonl, Rng, SqlAnalyst, type SqlTask } from "../../src/index.js";

const env = new SqlAnalyst();

async function play(task: SqlTask | undefined, choose: (actions: string[], observation: string) => string, rng = new Rng(1)) {
  let state = await env.reset(rng, task === undefined ? {} : { task });
  const observations = [state.observation];
  for (;;) {
    const next = await env.step(choose(state.actions, state.observation));
    if (next.done) return { ...next, observations };
    observations.push(next.observation);
    state = next;
  }
}

describe("sql-analyst", () => {
  it("has the exact schema, with dt and ts disagreeing near midnight and the legacy column empty from 2026", async () => {
    const columns = await env.query("SELECT name FROM pragma_table_info('transactions')");
    expect(columns.map((row) => row[0])).toEqual(["txn_id", "dt", "ts", "amount_cents", "currency", "category_code", "transaction_category", "channel", "status", "sender_id", "receiver_id", "merchant_id"]);
    expect((await env.query("SELECT COUNT(*) FROM transactions WHERE dt <> substr(ts, 1, 10)"))[0]?.[0]).toBeGreaterThan(1000);
    expect((await env.query("SELECT COUNT(*) FROM transactions WHERE dt >= '2026-01-01' AND transaction_category IS NOT NULL"))[0]?.[0]).toBe(0);
    expect((await env.query("SELECT COUNT(DISTINCT transaction_category) FROM transactions WHERE category_code = 'P2P'"))[0]?.[0]).toBeGreaterThan(1);
    expect((await env.query("SELECT DISTINCT status FROM transactions ORDER BY 1")).map((row) => row[0])).toEqual(["failed", "pending", "settled"]);
  });

  it("builds at least 40 templates with paraphrases and keeps a held-out paraphrase for evaluation", () => {
    const train = env.tasks("train");
    const heldOut = env.tasks("heldOut");
    expect(new Set(train.map((task) => task.template)).size).toBeGreaterThanOrEqual(40);
    expect(new Set(heldOut.map((task) => task.template)).size).toBeGreaterThanOrEqual(40);
    const trainQuestions = new Set(train.map((task) => task.question));
    expect(heldOut.every((task) => !trainQuestions.has(task.question))).toBe(true);
    expect(heldOut.every((task) => task.heldOut)).toBe(true);
  });

  it("rewards the house rules with 1, a SQL error with a small negative reward, anything else with 0", async () => {
    const [task] = env.tasks("heldOut").filter((candidate) => candidate.intent.aggregate === "sum" && candidate.intent.category !== undefined);
    const right = await play(task, (actions) => actions[0] as string);
    expect(right).toMatchObject({ reward: 1, done: true, info: { success: true } });
    const naive = await play(task, (actions) => (actions.includes("filter dates on ts") ? "filter dates on ts" : (actions[0] as string)));
    expect(naive).toMatchObject({ reward: 0, info: { success: false } });
    const broken = await play(task, (actions) => (actions.includes("amount") ? "amount" : (actions[0] as string)));
    expect(broken.reward).toBeCloseTo(-0.1);
    expect(broken.observation).toContain("no such column: amount");
  });

  it("lets the auditor send the last decision back once", async () => {
    const [task] = env.tasks("heldOut").filter((candidate) => candidate.intent.groupBy === undefined && candidate.intent.aggregate === "count" && candidate.intent.period.from !== candidate.intent.period.to);
    let sentBack = false;
    const result = await play(task, (actions, observation) => {
      if (observation.includes("What shape")) return sentBack ? "one overall figure" : "one row per day";
      if (actions.includes("send back the last decision")) {
        sentBack = true;
        return "send back the last decision";
      }
      return actions[0] as string;
    });
    expect(result.observations.some((text) => text.startsWith("The auditor sent the answer back."))).toBe(true);
    expect(result.observations.some((text) => text.startsWith("The query returned several labelled rows, for a question that asks for a single figure"))).toBe(true);
    expect(result.info.success).toBe(true);
  });

  it("a random policy is rarely right", async () => {
    const rng = new Rng(5);
    let wins = 0;
    for (let episode = 0; episode < 200; episode += 1) if ((await play(undefined, (actions) => rng.choice(actions), rng)).info.success) wins += 1;
    expect(wins / 200).toBeLessThan(0.15);
  });

  it("gold SQL follows the house rules", () => {
    const [task] = env.tasks("train").filter((candidate) => candidate.intent.status === undefined && candidate.intent.aggregate === "avg" && candidate.intent.groupBy === "day");
    const sql = composeSql((task as SqlTask).intent, goldDecisions((task as SqlTask).intent));
    expect(sql).toContain("status = 'settled'");
    expect(sql).toContain("AVG(amount_cents / 100.0)");
    expect(sql).toContain("GROUP BY grp");
    expect(sql).not.toContain("substr(ts");
  });

  it("loads tasks from JSONL and refuses bad lines clearly", () => {
    const line = JSON.stringify({ question: "How many refunds yesterday?", intent: { aggregate: "count", category: "REFUND", period: { label: "yesterday", from: "2026-03-14", to: "2026-03-14" } }, goldSql: "SELECT 1" });
    expect(parseTasksJsonl(`${line}\n\n${line}\n`)).toHaveLength(2);
    expect(() => parseTasksJsonl(`${line}\n{"question": 3}\n`, "my.jsonl")).toThrow(/my.jsonl line 2 is not a task/);
    expect(() => parseTasksJsonl("not json", "my.jsonl")).toThrow(JottyError);
  });

  it("in a Conductor, each step goes to the actor with the capability it asks for; evaluate() changes nothing", async () => {
    const conductor = await Conductor.create({
      config: {
        learningMode: "contextual",
        environment: { name: "sql-analyst" },
        actors: [
          { name: "schema-scout", capabilities: ["schema"] },
          { name: "query-writer", capabilities: ["query"], dependsOn: ["schema-scout"] },
          { name: "auditor", capabilities: ["audit"], dependsOn: ["query-writer"] },
        ],
        qPredictor: { similarity: false },
      },
      environment: env,
    });
    const tasks = env.tasks("train").slice(0, 4);
    for (const task of tasks) {
      const result = await conductor.run({ goal: task.question, task });
      for (const step of result.trajectory) {
        const expected = step.observation.includes("What shape") ? "query-writer" : step.observation.includes("Accept it?") ? "auditor" : "schema-scout";
        expect(step.actor, step.observation).toBe(expected);
      }
    }
    const before = { stats: conductor.stats(), q: conductor.q.snapshot() };
    const heldOut = env.tasks("heldOut").slice(0, 4).map((task) => ({ goal: task.question, task }));
    const first = await conductor.evaluate({ tasks: heldOut });
    const second = await conductor.evaluate({ tasks: heldOut });
    expect(second.results.map((result) => result.trajectory.map((step) => step.action))).toEqual(first.results.map((result) => result.trajectory.map((step) => step.action)));
    expect(conductor.stats()).toEqual(before.stats);
    expect(conductor.q.snapshot().entries).toEqual(before.q.entries);
    await conductor.close();
  });

  describe("with acceptSql, a query writer may write its own SELECT", () => {
    const writable = new SqlAnalyst({ acceptSql: true });
    const [task] = writable.tasks("heldOut").filter((candidate) => candidate.intent.groupBy === "channel");
    const answerWith = (sql: string) => (actions: string[], observation: string) => (observation.includes("What shape") ? sql : (actions[0] as string));

    it("runs it, judges it like a composed query and reports it", async () => {
      const seen: string[] = [];
      let state = await writable.reset(new Rng(1), { task });
      for (;;) {
        seen.push(state.observation);
        const next = await writable.step(answerWith((task as SqlTask).goldSql)(state.actions, state.observation));
        if (next.done) {
          expect(next).toMatchObject({ reward: 1, info: { success: true, sql: (task as SqlTask).goldSql } });
          expect((next.info.decisions as string[]).at(-1)).toBe("wrote its own SQL");
          break;
        }
        state = next;
      }
      expect(seen.find((text) => text.includes("What shape"))).toMatch(/Or answer with one SELECT statement of your own over transactions\(txn_id, dt, ts/);
      const wrong = await playOn(writable, task, answerWith("SELECT 1 AS grp, 2"));
      expect(wrong).toMatchObject({ reward: 0, info: { success: false } });
    });

    it("never lets it change the data, and refuses a second statement", async () => {
      const count = async () => (await writable.query("SELECT COUNT(*) FROM transactions"))[0]?.[0];
      const before = await count();
      await playOn(writable, task, answerWith("WITH gone AS (SELECT 1) DELETE FROM transactions"));
      const twice = await playOn(writable, task, answerWith("SELECT 1; DROP TABLE transactions"));
      expect(twice.reward).toBeCloseTo(-0.1);
      expect(twice.observation).toContain("only one SQL statement is allowed");
      expect(await count()).toBe(before);
    });

    it("is refused as an action when acceptSql is off", async () => {
      let state = await env.reset(new Rng(1), { task });
      while (!state.observation.includes("What shape")) state = await env.step(state.actions[0] as string);
      expect(state.observation).not.toContain("SELECT statement");
      await expect(env.step((task as SqlTask).goldSql)).rejects.toThrow(/is not an action of sql-analyst here/);
    });

    it("lets an LLM query writer configured with candidatesOnly: false answer in SQL inside a Conductor", async () => {
      const gold = new Map(writable.tasks("heldOut").map((candidate) => [candidate.question, candidate.goldSql]));
      const model = new SqlWriterModel(gold);
      const conductor = await Conductor.create({
        config: {
          learningMode: "contextual",
          environment: { name: "sql-analyst", options: { acceptSql: true } },
          actors: [
            { name: "schema-scout", capabilities: ["schema"] },
            { name: "query-writer", kind: "llm", capabilities: ["query"], candidatesOnly: false },
            { name: "auditor", capabilities: ["audit"] },
          ],
          // The model writes the SQL itself: no exploration on its behalf.
          conductor: { executionModes: { enabled: false }, knowledge: { explore: 0 } },
        },
        environment: writable,
        llm: model,
      });
      const result = await conductor.run({ goal: (task as SqlTask).question, task });
      const written = result.trajectory.find((step) => step.actor === "query-writer");
      expect(written?.action).toBe((task as SqlTask).goldSql);
      expect(result.success).toBe(true);
      expect(result.llmCalls).toBeGreaterThan(0);
      // The policy actors' Q-predictor asks the model too (for values); the writer's prompt offers SQL.
      expect(model.prompts.find((prompt) => prompt.includes("What shape"))).toContain("SELECT statement of your own");
      await conductor.close();
    });
  });
});

describe("sql-analyst input and time limits (issue 13)", () => {
  const quick = new SqlAnalyst({ acceptSql: true, statementTimeoutMs: 300 });
  const [task] = quick.tasks("heldOut");
  const answerWith = (sql: string) => (actions: string[], observation: string) => (observation.includes("What shape") ? sql : (actions[0] as string));

  it("stops a statement that runs too long: the episode fails, the process lives, the next query works (13)", async () => {
    const started = Date.now();
    const endless = await playOn(quick, task, answerWith("WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r) SELECT COUNT(*) AS grp FROM r"));
    expect(endless).toMatchObject({ reward: -0.1, info: { success: false } });
    expect(endless.observation).toMatch(/ran longer than 300 ms and was stopped/);
    expect(Date.now() - started).toBeLessThan(10_000);
    const crossed = await playOn(quick, task, answerWith("SELECT COUNT(*) AS grp FROM transactions a, transactions b, transactions c"));
    expect(crossed.observation).toMatch(/ran longer than 300 ms/);
    expect((await quick.query("SELECT COUNT(*) FROM users"))[0]?.[0]).toBeGreaterThan(0);
  });

  it("refuses a tasks file whose gold SQL hangs or writes, and accepts a ';' inside a string (13, 20)", async () => {
    const line = (id: string, goldSql: string) => JSON.stringify({ id, question: `Q ${id}`, intent: (task as SqlTask).intent, goldSql });
    const tasks = parseTasksJsonl(
      [
        line("hangs", "WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r) SELECT COUNT(*) FROM r"),
        line("writes", "DELETE FROM transactions WHERE 0"),
        line("semicolon", "SELECT COUNT(*) FROM transactions WHERE status <> 'a;b'"),
      ].join("\n"),
    );
    const environment = new SqlAnalyst({ tasks, statementTimeoutMs: 300 });
    const error = await environment.checkTasks().catch((caught: unknown) => caught as JottyError);
    expect(error).toBeInstanceOf(JottyError);
    expect((error as JottyError).message).toMatch(/2 tasks' gold SQL fails/);
    expect((error as JottyError).message).toMatch(/"Q hangs": the statement ran longer than 300 ms/);
    expect((error as JottyError).message).toMatch(/"Q writes": the statement writes; only queries that read are allowed/);
    expect((error as JottyError).message).not.toContain("Q semicolon");
  });

  it("refuses duplicate task ids, impossible dates and oversized task counts (14, 20)", () => {
    const base = { question: "How many?", template: "custom", intent: (task as SqlTask).intent, goldSql: "SELECT 1" };
    expect(() => parseTasksJsonl([JSON.stringify({ ...base, id: "a" }), JSON.stringify({ ...base, id: "a" })].join("\n"))).toThrow(/line 2 repeats the id "a"/);
    expect(() => new SqlAnalyst({ tasks: [{ ...base, id: "b" }, { ...base, id: "b", question: "Another?" }] })).toThrow(/unique ids; repeated: b/);
    expect(() => new SqlAnalyst({ today: "2026-13-45" })).toThrow(/today: must be a date that exists/);
    expect(() => new SqlAnalyst({ tasksPerTemplate: 1_000_000 })).toThrow(/tasksPerTemplate/);
  });
});

async function playOn(environment: SqlAnalyst, task: SqlTask | undefined, choose: (actions: string[], observation: string) => string) {
  let state = await environment.reset(new Rng(1), { task });
  for (;;) {
    const next = await environment.step(choose(state.actions, state.observation));
    if (next.done) return next;
    state = next;
  }
}

/** A chat model that answers the query step with the gold SQL of the question in its prompt. */
class SqlWriterModel extends FakeListChatModel {
  readonly prompts: string[] = [];

  constructor(private readonly gold: Map<string, string>) {
    super({ responses: ["unused"] });
  }

  override async _generate(messages: BaseMessage[]): Promise<ChatResult> {
    const text = messages.map((message) => String(message.content)).join("\n");
    this.prompts.push(text);
    const question = /Goal: (.*)/.exec(text)?.[1] ?? "";
    const answer = JSON.stringify({ reasoning: "written from the schema and the team's decisions", action: this.gold.get(question) ?? "one overall figure" });
    return { generations: [{ text: answer, message: new AIMessage(answer) }] };
  }
}

