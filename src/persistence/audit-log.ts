import { createHash } from "node:crypto";
import { promises as fsp } from "node:fs";
import os from "node:os";
import { z } from "zod";
import { JottyError } from "../errors/index.js";
import type { Clock } from "../util/index.js";

/** What happened to learned state. */
export const AUDIT_ACTIONS = ["create", "update", "save", "delete", "prune", "export", "reset", "backup", "restore"] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

const GENESIS = "0".repeat(64);

/** One line of the audit log: ids and counts, never content. */
export const AuditRecordSchema = z.strictObject({
  seq: z.int().min(1),
  time: z.string(),
  action: z.enum(AUDIT_ACTIONS),
  by: z.string(),
  ids: z.array(z.string()),
  details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  /** Hash of the previous line (64 zeros for the first). */
  prev: z.string().length(64),
  /** sha256 of `prev` and this record without `hash`. */
  hash: z.string().length(64),
});
export type AuditRecord = z.infer<typeof AuditRecordSchema>;

function hashOf(record: Omit<AuditRecord, "hash">): string {
  return createHash("sha256").update(`${record.prev}\n${JSON.stringify(record)}`).digest("hex");
}

function currentUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return "unknown";
  }
}

/**
 * An append-only JSONL log of every operation on learned state. Each line carries the hash of
 * the previous one, so an edited, removed or reordered line breaks the chain and
 * {@link AuditLog.verify} finds it. Callers append while holding the folder's lock.
 */
export class AuditLog {
  constructor(
    readonly file: string,
    private readonly clock: Clock,
    private readonly by: string = currentUser(),
  ) {}

  /** Appends one record and flushes it to disk. */
  async append({ action, ids, details, by }: { action: AuditAction; ids: readonly string[]; details?: AuditRecord["details"]; by?: string }): Promise<AuditRecord> {
    // Another process may have appended since this one last did: read the tail each time.
    const last = await this.tail();
    const body: Omit<AuditRecord, "hash"> = {
      seq: (last?.seq ?? 0) + 1,
      time: new Date(this.clock.now()).toISOString(),
      action,
      by: by ?? this.by,
      ids: [...ids],
      ...(details === undefined ? {} : { details }),
      prev: last?.hash ?? GENESIS,
    };
    const record: AuditRecord = { ...body, hash: hashOf(body) };
    const handle = await fsp.open(this.file, "a");
    try {
      await handle.appendFile(`${JSON.stringify(record)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    return record;
  }

  /** The last record's sequence number and hash, read from the end of the file. */
  /** Bytes of the log on disk (0 before the first record). */
  async size(): Promise<number> {
    return (await fsp.stat(this.file).catch(() => undefined))?.size ?? 0;
  }

  private async tail(): Promise<{ seq: number; hash: string } | undefined> {
    const handle = await fsp.open(this.file, "r+").catch(() => undefined);
    if (handle === undefined) return undefined;
    try {
      const { size } = await handle.stat();
      const length = Math.min(size, 65_536);
      const buffer = Buffer.alloc(length);
      await handle.read(buffer, 0, length, size - length);
      let text = buffer.toString("utf8");
      if (length > 0 && !text.endsWith("\n")) {
        // A line without its newline is a write a crash cut short: it was never complete, so drop it.
        const end = text.lastIndexOf("\n") + 1;
        if (end === 0 && size > length) throw new JottyError({ code: "audit_invalid", message: `The last line of ${this.file} is too long to be an audit record.` });
        await handle.truncate(size - length + end);
        await handle.sync();
        text = text.slice(0, end);
      }
      const line = text.trimEnd().split("\n").at(-1);
      if (line === undefined || line === "") return undefined;
      let data: unknown;
      try {
        data = JSON.parse(line);
      } catch {
        data = undefined;
      }
      const parsed = AuditRecordSchema.safeParse(data);
      if (!parsed.success) {
        throw new JottyError({ code: "audit_invalid", message: `The last line of ${this.file} is not an audit record; run \`jotty audit verify\` to see where the log was damaged.` });
      }
      return { seq: parsed.data.seq, hash: parsed.data.hash };
    } finally {
      await handle.close();
    }
  }

  /**
   * Checks the whole chain: every line parses, numbers follow on, and each hash matches its
   * record and the line before.
   */
  static async verify(file: string): Promise<{ ok: true; records: number } | { ok: false; records: number; line: number; problem: string }> {
    const text = await fsp.readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
      throw new JottyError({ code: "invalid_argument", message: `Cannot read the audit log ${file} (${error.code ?? "unreadable"}).` });
    });
    const lines = text.split("\n");
    if (lines.at(-1) === "") lines.pop();
    let prev = GENESIS;
    for (const [index, line] of lines.entries()) {
      const fail = (problem: string) => ({ ok: false as const, records: index, line: index + 1, problem });
      let data: unknown;
      try {
        data = JSON.parse(line);
      } catch {
        return fail("not JSON");
      }
      const parsed = AuditRecordSchema.safeParse(data);
      if (!parsed.success) return fail("not an audit record");
      const { hash, ...body } = parsed.data;
      if (body.seq !== index + 1) return fail(`sequence number ${body.seq} where ${index + 1} was expected (a line was removed or reordered)`);
      if (body.prev !== prev) return fail("it does not follow the line before (a line was removed, inserted or reordered)");
      if (hashOf(body) !== hash) return fail("its hash does not match its content (the line was edited)");
      prev = hash;
    }
    return { ok: true, records: lines.length };
  }
}
