import { createHash } from "node:crypto";
import { promises as fsp } from "node:fs";
import os from "node:os";
import { z } from "zod";
import { JottyError } from "../errors/index.js";
import type { Clock } from "../util/index.js";
import { writeFileAtomic } from "./atomic-write.js";

/** What happened to learned state (`repair`: the log itself was mended after a crash). */
export const AUDIT_ACTIONS = ["create", "update", "save", "delete", "prune", "export", "reset", "backup", "restore", "repair"] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

const GENESIS = "0".repeat(64);
const CHUNK = 65_536;

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

/** What a caller asks to record. */
export interface AuditEntry {
  action: AuditAction;
  ids: readonly string[];
  details?: AuditRecord["details"];
  by?: string;
}

/** The end of a log: its last record's number and hash, and the hash of its first record (the log's identity). */
export interface AuditHead {
  seq: number;
  hash: string;
  log: string;
}

/** A record the log must hold, as some other file (a run's manifest) remembers it. */
export interface AuditAnchor {
  /** Who remembers it, for messages (a run's name). */
  source: string;
  /** The identity of the log it was written to (hash of its first record). */
  log: string;
  seq: number;
  hash: string;
}

/** What {@link AuditLog.verify} finds. */
export type AuditVerification = { ok: true; records: number } | { ok: false; records: number; line: number; problem: string };

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

function parseRecord(line: string): AuditRecord | undefined {
  try {
    const parsed = AuditRecordSchema.safeParse(JSON.parse(line));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * An append-only JSONL log of every operation on learned state. Each line carries the hash of
 * the previous one, so an edited, removed or reordered line breaks the chain; the last
 * record's number and hash are also kept in `<log>.head` and in the manifest of every run
 * whose save wrote records, so lines removed from the end are found too. Records of any size
 * work. Callers append while holding the folder's lock.
 */
export class AuditLog {
  /** Where the head (last record's number and hash) is kept. */
  readonly headFile: string;

  constructor(
    readonly file: string,
    private readonly clock: Clock,
    private readonly by: string = currentUser(),
  ) {
    this.headFile = `${file}.head`;
  }

  /** Bytes of the log on disk (0 before the first record). */
  async size(): Promise<number> {
    return (await fsp.stat(this.file).catch(() => undefined))?.size ?? 0;
  }

  /**
   * The log's first and last complete records, read from its two ends; a last line that a crash
   * cut short is reported as `torn` (with its text), not parsed.
   *
   * @throws JottyError `audit_invalid` when the last complete line is not an audit record.
   */
  private async ends(): Promise<{ first: AuditRecord | undefined; last: AuditRecord | undefined; torn: { offset: number; text: string } | undefined }> {
    const handle = await fsp.open(this.file, "r").catch(() => undefined);
    if (handle === undefined) return { first: undefined, last: undefined, torn: undefined };
    try {
      const { size } = await handle.stat();
      if (size === 0) return { first: undefined, last: undefined, torn: undefined };
      // Read backwards, a chunk at a time, until the start of the last complete line is in view.
      let tail = Buffer.alloc(0);
      let start = size;
      let lastNewline = -1;
      let previousNewline = -1;
      while (start > 0) {
        const length = Math.min(CHUNK, start);
        start -= length;
        const chunk = Buffer.alloc(length);
        await handle.read(chunk, 0, length, start);
        tail = Buffer.concat([chunk, tail]);
        lastNewline = tail.lastIndexOf(0x0a);
        previousNewline = lastNewline <= 0 ? -1 : tail.lastIndexOf(0x0a, lastNewline - 1);
        if (previousNewline >= 0) break;
      }
      const torn = lastNewline === tail.length - 1 ? undefined : { offset: start + lastNewline + 1, text: tail.subarray(lastNewline + 1).toString("utf8") };
      if (lastNewline < 0) return { first: undefined, last: undefined, torn };
      const lastLine = tail.subarray(previousNewline + 1, lastNewline).toString("utf8");
      const last = parseRecord(lastLine);
      if (last === undefined) {
        throw new JottyError({ code: "audit_invalid", message: `The last line of ${this.file} is not an audit record; run \`jotty audit verify\` to see where the log was damaged.` });
      }
      return { first: last.seq === 1 ? last : await this.firstRecord(handle), last, torn };
    } finally {
      await handle.close();
    }
  }

  private async firstRecord(handle: fsp.FileHandle): Promise<AuditRecord | undefined> {
    let head = Buffer.alloc(0);
    for (let position = 0; ; position += CHUNK) {
      const chunk = Buffer.alloc(CHUNK);
      const { bytesRead } = await handle.read(chunk, 0, CHUNK, position);
      head = Buffer.concat([head, chunk.subarray(0, bytesRead)]);
      const newline = head.indexOf(0x0a);
      if (newline >= 0) return parseRecord(head.subarray(0, newline).toString("utf8"));
      if (bytesRead < CHUNK) return undefined;
    }
  }

  /**
   * Mends a last line a crash cut short: completed when it is a whole record that continues
   * the chain, else cut off. Returns the head after it, and the text cut off (if any).
   */
  private async mendTail(): Promise<{ head: AuditHead | undefined; dropped: string | undefined }> {
    const { first, last, torn } = await this.ends();
    const headOf = (record: AuditRecord | undefined): AuditHead | undefined => (record === undefined ? undefined : { seq: record.seq, hash: record.hash, log: (first ?? record).hash });
    if (torn === undefined) return { head: headOf(last), dropped: undefined };
    const whole = parseRecord(torn.text);
    if (whole !== undefined && whole.seq === (last?.seq ?? 0) + 1 && whole.prev === (last?.hash ?? GENESIS) && hashOf(whole) === whole.hash) {
      await this.write(`\n`);
      await this.writeHead(whole, (first ?? whole).hash);
      return { head: { seq: whole.seq, hash: whole.hash, log: (first ?? whole).hash }, dropped: undefined };
    }
    const handle = await fsp.open(this.file, "r+");
    try {
      await handle.truncate(torn.offset);
      await handle.sync();
    } finally {
      await handle.close();
    }
    return { head: headOf(last), dropped: torn.text };
  }

  /** Records that a crash's cut-short line was removed; returns the head after it. */
  private async recordRepair(head: AuditHead | undefined, dropped: string): Promise<AuditHead> {
    const [repair] = this.prepare(head, [
      {
        action: "repair",
        ids: [],
        details: { reason: "a line cut short by a crash was removed", droppedBytes: Buffer.byteLength(dropped), droppedSha256: createHash("sha256").update(dropped).digest("hex") },
      },
    ]) as [AuditRecord];
    await this.appendRecords([repair], head);
    return { seq: repair.seq, hash: repair.hash, log: head?.log ?? repair.hash };
  }

  /**
   * The log's head after mending a crash: a last line cut short is completed when it is a
   * whole record that continues the chain, and otherwise cut off and recorded as a `repair`.
   */
  async head(): Promise<AuditHead | undefined> {
    const { head, dropped } = await this.mendTail();
    return dropped === undefined ? head : this.recordRepair(head, dropped);
  }

  /** The records `entries` become when appended after `head`, chained and hashed (nothing is written). */
  prepare(head: Pick<AuditHead, "seq" | "hash"> | undefined, entries: readonly AuditEntry[]): AuditRecord[] {
    const records: AuditRecord[] = [];
    let seq = head?.seq ?? 0;
    let prev = head?.hash ?? GENESIS;
    for (const { action, ids, details, by } of entries) {
      seq += 1;
      const body: Omit<AuditRecord, "hash"> = {
        seq,
        time: new Date(this.clock.now()).toISOString(),
        action,
        by: by ?? this.by,
        ids: [...ids],
        ...(details === undefined ? {} : { details }),
        prev,
      };
      const record = { ...body, hash: hashOf(body) };
      records.push(record);
      prev = record.hash;
    }
    return records;
  }

  private async write(text: string): Promise<void> {
    const handle = await fsp.open(this.file, "a");
    try {
      await handle.appendFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  private async writeHead(last: AuditRecord, log: string): Promise<void> {
    await writeFileAtomic(this.headFile, `${JSON.stringify({ seq: last.seq, hash: last.hash, log })}\n`);
  }

  /** Appends prepared records (which must continue `head`) and flushes them and the head file to disk. */
  async appendRecords(records: readonly AuditRecord[], head: AuditHead | undefined): Promise<void> {
    if (records.length === 0) return;
    await this.write(records.map((record) => `${JSON.stringify(record)}\n`).join(""));
    await this.writeHead(records.at(-1) as AuditRecord, head?.log ?? (records[0] as AuditRecord).hash);
  }

  /** Appends one record (mending a crash's leftovers first) and flushes it to disk. */
  async append(entry: AuditEntry): Promise<AuditRecord> {
    const head = await this.head();
    const [record] = this.prepare(head, [entry]);
    await this.appendRecords([record as AuditRecord], head);
    return record as AuditRecord;
  }

  /**
   * Appends the records a save prepared (for the log `log`) that a crash kept from this log:
   * those after its head, when they continue it. Returns how many were appended (0 when the
   * log holds them, or they were written to another log, as a restored run's were), or null
   * when this log does not continue into them (it was damaged, cut or replaced).
   */
  async reconcile(records: readonly AuditRecord[], log: string | null): Promise<number | null> {
    const { head, dropped } = await this.mendTail();
    const last = records.at(-1);
    const missing = last === undefined || log === null || (head !== undefined && (head.log !== log || head.seq >= last.seq)) ? [] : records.filter((record) => record.seq > (head?.seq ?? 0));
    const continues = missing.length === 0 || (missing[0] as AuditRecord).prev === (head?.hash ?? GENESIS);
    if (continues && missing.length > 0) await this.appendRecords(missing, head);
    // A line cut short that these records restore was not lost; any other is recorded as removed.
    const restored = dropped !== undefined && continues && missing.some((record) => JSON.stringify(record).startsWith(dropped));
    if (dropped !== undefined && !restored) await this.recordRepair(continues && missing.length > 0 ? { seq: (missing.at(-1) as AuditRecord).seq, hash: (missing.at(-1) as AuditRecord).hash, log: head?.log ?? (missing[0] as AuditRecord).hash } : head, dropped);
    return continues ? missing.length : null;
  }

  /**
   * Checks the whole chain: every line parses, numbers follow on, each hash matches its record
   * and the line before, and the log reaches as far as its head file and every anchor (the
   * records runs' manifests remember) say it did, so lines removed from its end are found.
   */
  static async verify(file: string, { anchors = [] }: { anchors?: readonly AuditAnchor[] } = {}): Promise<AuditVerification> {
    const text = await fsp.readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
      throw new JottyError({ code: "invalid_argument", message: `Cannot read the audit log ${file} (${error.code ?? "unreadable"}).` });
    });
    const lines = text.split("\n");
    if (lines.at(-1) === "") lines.pop();
    let prev = GENESIS;
    const hashes: string[] = [];
    for (const [index, line] of lines.entries()) {
      const fail = (problem: string) => ({ ok: false as const, records: index, line: index + 1, problem });
      let data: unknown;
      try {
        data = JSON.parse(line);
      } catch {
        return fail(index === lines.length - 1 && !text.endsWith("\n") ? "the last line was cut short (a crash while appending; the next append mends it)" : "not JSON");
      }
      const parsed = AuditRecordSchema.safeParse(data);
      if (!parsed.success) return fail("not an audit record");
      const { hash, ...body } = parsed.data;
      if (body.seq !== index + 1) return fail(`sequence number ${body.seq} where ${index + 1} was expected (a line was removed or reordered)`);
      if (body.prev !== prev) return fail("it does not follow the line before (a line was removed, inserted or reordered)");
      if (hashOf(body) !== hash) return fail("its hash does not match its content (the line was edited)");
      prev = hash;
      hashes.push(hash);
    }
    const count = hashes.length;
    const expected: AuditAnchor[] = [...anchors];
    const head = await fsp.readFile(`${file}.head`, "utf8").then(
      (raw) => JSON.parse(raw) as { seq?: unknown; hash?: unknown; log?: unknown },
      () => undefined,
    );
    if (typeof head?.seq === "number" && typeof head.hash === "string" && typeof head.log === "string") {
      expected.push({ source: "its head file", log: head.log, seq: head.seq, hash: head.hash });
    }
    for (const anchor of expected) {
      if (count > 0 && anchor.log !== hashes[0]) continue; // written to another log (a restored run)
      const truncated = { ok: false as const, records: count, line: count + 1 };
      if (anchor.seq > count) {
        return { ...truncated, problem: `the log ends at record ${count}, but ${anchor.source} records that record ${anchor.seq} was written (records were removed from its end)` };
      }
      if (hashes[anchor.seq - 1] !== anchor.hash) {
        return { ok: false, records: anchor.seq - 1, line: anchor.seq, problem: `it is not the record ${anchor.source} says was written there (the log was rewritten)` };
      }
    }
    return { ok: true, records: count };
  }
}
