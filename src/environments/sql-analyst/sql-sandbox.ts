import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import { JottyError } from "../../errors/index.js";

/** Rows of one statement. */
export interface SqlResult {
  columns: string[];
  values: unknown[][];
}

/**
 * The worker: sql.js over a copy of the database. A statement must be one statement that only
 * reads (SQLite's own parser counts the statements, and its compiled program must open no
 * table for writing nor start a write transaction); it runs inside a savepoint that is always
 * rolled back, so even a write that got through would change nothing.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const initSqlJs = require(workerData.sqlJs);
const WRITES = new Set(["OpenWrite", "CreateBtree", "Destroy", "Clear", "SqlExec", "ParseSchema", "DropTable", "DropIndex", "DropTrigger", "VCreate", "VDestroy", "VUpdate"]);
initSqlJs().then((SQL) => {
  const db = new SQL.Database(workerData.bytes);
  parentPort.on("message", ({ id, sql }) => {
    try {
      const texts = [];
      for (const statement of db.iterateStatements(sql)) {
        texts.push(statement.getSQL());
        statement.free();
      }
      if (texts.length === 0) throw new Error("there is no SQL statement");
      if (texts.length > 1) throw new Error("only one SQL statement is allowed");
      const text = texts[0];
      const [plan] = db.exec("EXPLAIN " + text);
      const opcode = plan ? plan.columns.indexOf("opcode") : -1;
      const p2 = plan ? plan.columns.indexOf("p2") : -1;
      for (const row of plan ? plan.values : []) {
        if (WRITES.has(row[opcode]) || (row[opcode] === "Transaction" && row[p2] !== 0)) throw new Error("the statement writes; only queries that read are allowed");
      }
      db.exec("SAVEPOINT jotty_answer");
      const statement = db.prepare(text);
      try {
        const values = [];
        while (statement.step()) {
          if (values.length >= workerData.maxRows) throw new Error("the statement returned more than " + workerData.maxRows + " rows");
          values.push(statement.get());
        }
        parentPort.postMessage({ id, columns: statement.getColumnNames(), values });
      } finally {
        statement.free();
        db.exec("ROLLBACK TO jotty_answer; RELEASE jotty_answer");
      }
    } catch (error) {
      parentPort.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
    }
  });
  parentPort.postMessage({ ready: true });
}, (error) => parentPort.postMessage({ fatal: String(error) }));
`;

/** Rows a statement may return: an answer that large is no answer, and copying it would cost the process. */
const MAX_ROWS = 100_000;

interface Pending {
  resolve: (result: SqlResult) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * Runs read-only SQL against a copy of a database in a worker thread, with a time limit per
 * statement: a statement that runs longer (a recursive CTE without end, a huge cross join) is
 * stopped by ending the worker — the caller gets an error, the process lives, and the next
 * statement gets a fresh worker over the same data. Statements run one at a time.
 */
export class SqlSandbox {
  private worker: Worker | undefined;
  private ready: Promise<void> | undefined;
  private readonly pending = new Map<number, Pending>();
  private rejectStart: ((error: Error) => void) | undefined;
  private next = 0;
  private queue: Promise<unknown> = Promise.resolve();

  /**
   * @param image - the database, as `Database.export()` gives it.
   * @param timeoutMs - the longest a statement may run.
   */
  constructor(
    private readonly image: Uint8Array,
    private readonly timeoutMs: number,
  ) {}

  private start(): Promise<void> {
    if (this.ready !== undefined) return this.ready;
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { sqlJs: createRequire(import.meta.url).resolve("sql.js"), bytes: this.image, maxRows: MAX_ROWS } });
    this.worker = worker;
    this.ready = new Promise<void>((resolve, reject) => {
      this.rejectStart = reject;
      worker.on("message", (message: { id?: number; ready?: boolean; fatal?: string; error?: string; columns?: string[]; values?: unknown[][] }) => {
        if (message.ready === true) {
          this.rejectStart = undefined;
          // Idle, the worker does not keep the process alive; a statement waiting for it does.
          if (this.pending.size === 0) worker.unref();
          return resolve();
        }
        if (message.fatal !== undefined) return reject(new JottyError({ code: "io_error", message: `The SQL worker could not start: ${message.fatal}` }));
        const waiting = this.pending.get(message.id ?? -1);
        if (waiting === undefined) return;
        this.pending.delete(message.id as number);
        clearTimeout(waiting.timer);
        if (this.pending.size === 0) worker.unref();
        if (message.error !== undefined) waiting.reject(new Error(message.error));
        else waiting.resolve({ columns: message.columns ?? [], values: message.values ?? [] });
      });
      worker.on("error", (error) => this.fail(error));
      worker.on("exit", (code) => {
        // An exit this sandbox did not ask for (the worker ran out of memory, say).
        if (this.worker === worker) this.fail(new JottyError({ code: "io_error", message: `The SQL worker stopped unexpectedly (exit code ${code}).` }));
      });
    });
    return this.ready;
  }

  private fail(error: Error): void {
    this.rejectStart?.(error);
    this.rejectStart = undefined;
    for (const [id, waiting] of this.pending) {
      clearTimeout(waiting.timer);
      waiting.reject(error);
      this.pending.delete(id);
    }
    void this.worker?.terminate();
    this.worker = undefined;
    this.ready = undefined;
  }

  /**
   * Runs one statement that reads.
   *
   * @throws Error with SQLite's message, or a JottyError `sql_timeout` past the time limit.
   */
  async run(sql: string): Promise<SqlResult> {
    const turn = this.queue.then(() => this.runNow(sql));
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private async runNow(sql: string): Promise<SqlResult> {
    await this.start();
    const worker = this.worker as Worker;
    const id = (this.next += 1);
    worker.ref();
    return new Promise<SqlResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.fail(
          new JottyError({
            code: "sql_timeout",
            message: `the statement ran longer than ${this.timeoutMs} ms and was stopped (environment option statementTimeoutMs)`,
            details: { timeoutMs: this.timeoutMs },
          }),
        );
      }, this.timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      worker.postMessage({ id, sql });
    });
  }

  /** Ends the worker; a statement still running (or waiting for the worker to start) fails. */
  async close(): Promise<void> {
    const worker = this.worker;
    this.fail(new JottyError({ code: "io_error", message: "The SQL sandbox was closed while a statement ran." }));
    await worker?.terminate();
  }
}
