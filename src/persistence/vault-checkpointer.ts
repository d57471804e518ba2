import { promises as fsp } from "node:fs";
import path from "node:path";
import type { RunnableConfig } from "@langchain/core/runnables";
import {
  MemorySaver,
  type ChannelVersions,
  type Checkpoint,
  type CheckpointListOptions,
  type CheckpointMetadata,
  type CheckpointTuple,
  type PendingWrite,
} from "@langchain/langgraph-checkpoint";
import { z } from "zod";
import { AppendFiles } from "./append-files.js";
import { AppendedLists, appendedType, storedValue } from "./appended-lists.js";
import { decryptBytes, encryptBytes, hmacHex, macKeyOf } from "./codec.js";

type Storage = MemorySaver["storage"];
type Writes = MemorySaver["writes"];

/** Channel values stored once per (channel, version): thread → namespace → `channel\0version` → [type, bytes]. */
type Blobs = Record<string, Record<string, Record<string, [string, Uint8Array]>>>;

/** One line of a thread's log. */
const LogLineSchema = z.discriminatedUnion("op", [
  z.strictObject({
    op: z.literal("put"),
    /** The thread (also in the file name, unless names are hashed because the vault is encrypted). */
    thread: z.string().optional(),
    ns: z.string(),
    id: z.string(),
    checkpoint: z.string(),
    metadata: z.string(),
    parent: z.string().nullable(),
    blobs: z.array(z.tuple([z.string(), z.string(), z.string()])),
  }),
  z.strictObject({
    op: z.literal("writes"),
    thread: z.string().optional(),
    key: z.string(),
    entries: z.record(z.string(), z.tuple([z.string(), z.string(), z.string(), z.string().optional()])),
  }),
]);

type LogLine = z.infer<typeof LogLineSchema>;

/** Lines of an encrypted thread log start with this; the rest is base64 of the AES-GCM record. */
const SEALED = "E1:";

const encode = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
const decode = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, "base64"));

function blobKey(channel: string, version: unknown): string {
  return `${channel}\u0000${String(version)}`;
}

/** Options of {@link VaultCheckpointer.open}. */
export interface VaultCheckpointerOptions {
  /** Where this checkpointer writes, one log file a thread. */
  dir: string;
  /**
   * AES-256-GCM key: every line is encrypted (bound to its file) and file names are keyed
   * hashes of the thread ids, so nothing of an episode is on disk in the clear.
   */
  key?: Buffer | undefined;
  /** Told about lines that cannot be read (torn by a crash, encrypted under another key, or plain in an encrypted folder). */
  onWarning?: (warning: string) => void;
  /** Folders of checkpoints to take over (of processes that ended); they are removed once read. */
  adopt?: readonly string[];
  /** Called by {@link VaultCheckpointer.close}: what the folder's owner does when the saver is done. */
  release?: () => Promise<void>;
  /**
   * Channels whose lists are only ever appended to, their items never changed once written (a
   * trajectory, a journal): a new version that extends the last one is stored as the items it
   * adds, so a step does not write the whole list again. Any other change is stored whole.
   */
  appendOnly?: readonly string[];
}

/**
 * A LangGraph checkpoint saver that keeps every thread on disk. It builds on LangGraph's own
 * `MemorySaver` (same semantics, same serializer) and adds two things: channel values are
 * stored once per (channel, version) — only the channels a step changed (`newVersions`) are
 * written, as LangGraph's database savers do — and every `put` and `putWrites` is appended as
 * one line to the thread's log file in `dir`, read back on open, so a graph interrupted by a
 * crash resumes from its last checkpoint. A line torn by a crash is skipped (and counted).
 */
export class VaultCheckpointer extends MemorySaver {
  /** Where threads are written. */
  readonly dir: string;
  private readonly blobs: Blobs = Object.create(null) as Blobs;
  private readonly key: Buffer | undefined;
  /** Hashes thread ids into file names when encrypted. */
  private readonly nameKey: Buffer | undefined;
  private skipped = 0;
  private readonly adoptedThreads = new Set<string>();
  /** The thread logs, kept open between lines. */
  private readonly logs = new AppendFiles();
  private readonly lists: AppendedLists;

  private constructor(
    dir: string,
    key: Buffer | undefined,
    private readonly release: (() => Promise<void>) | undefined,
    appendOnly: readonly string[],
  ) {
    super();
    this.lists = new AppendedLists(appendOnly);
    this.dir = dir;
    this.key = key;
    this.nameKey = key === undefined ? undefined : macKeyOf(key);
  }

  /** Done with this saver: a folder a Vault handed out is given back (removed when no thread is left in it). */
  async close(): Promise<void> {
    this.logs.closeAll();
    await this.release?.();
  }

  /** Lines skipped on open: torn by a crash, or not readable with this key. */
  get skippedLines(): number {
    return this.skipped;
  }

  /** The log file of a thread: its id, or a keyed hash of it when encrypted. */
  private fileOf(thread: string): string {
    const name = this.nameKey === undefined ? encodeURIComponent(thread) : `t_${hmacHex(this.nameKey, `thread:${thread}`).slice(0, 40)}`;
    return path.join(this.dir, `${name}.jsonl`);
  }

  /**
   * Opens a folder of checkpoints and reads every thread in it. Folders in `adopt` (those of
   * processes that ended) are taken over: their threads are read, written into this folder (in
   * this folder's codec) and the folders removed; see `adopted`.
   */
  static async open({ dir, key, onWarning, adopt = [], release, appendOnly = [] }: VaultCheckpointerOptions): Promise<VaultCheckpointer> {
    const saver = new VaultCheckpointer(path.resolve(dir), key, release, appendOnly);
    await fsp.mkdir(saver.dir, { recursive: true });
    await saver.readFolder(saver.dir, { rewrite: false });
    for (const folder of adopt) {
      for (const thread of await saver.readFolder(folder, { rewrite: true })) saver.adoptedThreads.add(thread);
      await fsp.rm(folder, { recursive: true, force: true });
    }
    if (saver.skipped > 0) onWarning?.(`${saver.dir}: ${saver.skipped} checkpoint line(s) skipped (cut short by a crash, or not readable with this folder's key)`);
    return saver;
  }

  /** Threads taken over from the folders of processes that ended. */
  get adopted(): string[] {
    return [...this.adoptedThreads];
  }

  /** Reads a folder's thread logs into this saver; with `rewrite`, appends what it read to this saver's own logs. */
  private async readFolder(folder: string, { rewrite }: { rewrite: boolean }): Promise<Set<string>> {
    const threads = new Set<string>();
    const names = await fsp.readdir(folder).catch(() => [] as string[]);
    for (const name of names.sort()) {
      if (!name.endsWith(".jsonl")) continue;
      const fallbackThread = decodeURIComponent(name.slice(0, -".jsonl".length));
      // A file may vanish while it is read (its folder is being cleaned): what is gone is skipped.
      const text = await fsp.readFile(path.join(folder, name), "utf8").catch(() => "");
      for (const raw of text.split("\n")) {
        if (raw.trim() === "") continue;
        const line = this.unseal(raw, name);
        if (line === undefined) {
          this.skipped += 1;
          continue;
        }
        const thread = line.thread ?? fallbackThread;
        threads.add(thread);
        this.apply(thread, line);
        if (rewrite) await this.append(thread, line);
      }
    }
    return threads;
  }

  /** A stored line → its record, or undefined when it is torn, or sealed (or not) against this key. */
  private unseal(raw: string, file: string): LogLine | undefined {
    let text = raw;
    if (this.key !== undefined) {
      if (!raw.startsWith(SEALED)) return undefined;
      const bytes = Buffer.from(raw.slice(SEALED.length), "base64");
      try {
        text = decryptBytes(bytes, this.key, `jotty-checkpoint:${file}`).toString("utf8");
      } catch {
        return undefined;
      }
    } else if (raw.startsWith(SEALED)) {
      return undefined;
    }
    try {
      const parsed = LogLineSchema.safeParse(JSON.parse(text));
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined; // torn by a crash mid-append
    }
  }

  private apply(thread: string, line: LogLine): void {
    if (line.op === "put") {
      const byThread = (this.storage[thread] ??= Object.create(null) as Storage[string]);
      const byNamespace = (byThread[line.ns] ??= Object.create(null) as Storage[string][string]);
      byNamespace[line.id] = [decode(line.checkpoint), decode(line.metadata), line.parent ?? undefined];
      const blobs = ((this.blobs[thread] ??= Object.create(null) as Blobs[string])[line.ns] ??= Object.create(null) as Blobs[string][string]);
      for (const [key, type, value] of line.blobs) blobs[key] = [type, decode(value)];
      return;
    }
    const writes = (this.writes[line.key] ??= Object.create(null) as Writes[string]);
    for (const [inner, [task, channel, value, taskPath]] of Object.entries(line.entries)) {
      writes[inner] = taskPath === undefined ? [task, channel, decode(value)] : [task, channel, decode(value), taskPath];
    }
  }

  private async append(thread: string, line: LogLine): Promise<void> {
    const file = this.fileOf(thread);
    const text = JSON.stringify({ ...line, thread });
    const stored = this.key === undefined ? text : `${SEALED}${encryptBytes(Buffer.from(text, "utf8"), this.key, `jotty-checkpoint:${path.basename(file)}`).toString("base64")}`;
    this.logs.append(file, `${stored}\n`);
  }

  /** Thread ids held, for callers that clean up after a crash. */
  threads(): string[] {
    return Object.keys(this.storage);
  }

  /** Channel values of a checkpoint, rebuilt from the blobs of its channel versions. */
  private async withValues(tuple: CheckpointTuple): Promise<CheckpointTuple> {
    const thread = String(tuple.config.configurable?.thread_id);
    const namespace = String(tuple.config.configurable?.checkpoint_ns ?? "");
    const stored = this.blobs[thread]?.[namespace] ?? {};
    const values: Record<string, unknown> = {};
    const load = (type: string, bytes: Uint8Array) => this.serde.loadsTyped(type, bytes);
    for (const [channel, version] of Object.entries(tuple.checkpoint.channel_versions ?? {})) {
      const found = await storedValue(stored, blobKey(channel, version), load);
      if (found !== undefined) values[channel] = found.value;
    }
    // Values MemorySaver itself puts back (pending sends of old checkpoints) stay.
    tuple.checkpoint.channel_values = { ...values, ...tuple.checkpoint.channel_values };
    return tuple;
  }

  override async getTuple(config: RunnableConfig): Promise<CheckpointTuple | undefined> {
    const tuple = await super.getTuple(config);
    return tuple === undefined ? undefined : this.withValues(tuple);
  }

  override async *list(config: RunnableConfig, options?: CheckpointListOptions): AsyncGenerator<CheckpointTuple> {
    for await (const tuple of super.list(config, options)) yield await this.withValues(tuple);
  }

  override async put(
    config: RunnableConfig,
    checkpoint: Checkpoint,
    metadata: CheckpointMetadata,
    newVersions: ChannelVersions = {},
  ): Promise<RunnableConfig> {
    const values = checkpoint.channel_values ?? {};
    const thread = String(config.configurable?.thread_id);
    const namespace = String(config.configurable?.checkpoint_ns ?? "");
    const held = (key: string) => this.blobs[thread]?.[namespace]?.[key] !== undefined;
    const blobs: Array<[string, [string, Uint8Array]]> = [];
    const written: Array<[string, string, unknown]> = [];
    for (const [channel, version] of Object.entries(newVersions)) {
      if (!(channel in values)) continue;
      const key = blobKey(channel, version);
      const value = values[channel];
      const base = this.lists.baseOf(thread, namespace, channel, value, held);
      if (base === undefined) {
        blobs.push([key, await this.serde.dumpsTyped(value)]);
      } else {
        const [type, bytes] = await this.serde.dumpsTyped((value as unknown[]).slice(base.length));
        blobs.push([key, [appendedType(type, base.key), bytes]]);
      }
      written.push([channel, key, value]);
    }
    const result = await super.put(config, { ...checkpoint, channel_values: {} }, metadata);
    // super.put has checked the thread id; store the changed channels' values once per version.
    const byNamespace = ((this.blobs[thread] ??= Object.create(null) as Blobs[string])[namespace] ??= Object.create(null) as Blobs[string][string]);
    for (const [key, blob] of blobs) byNamespace[key] = blob;
    for (const [channel, key, value] of written) this.lists.remember(thread, namespace, channel, key, value);
    const [stored, storedMetadata, parent] = this.storage[thread]?.[namespace]?.[checkpoint.id] as Storage[string][string][string];
    await this.append(thread, {
      op: "put",
      ns: namespace,
      id: checkpoint.id,
      checkpoint: encode(stored),
      metadata: encode(storedMetadata),
      parent: parent ?? null,
      blobs: blobs.map(([key, [type, bytes]]) => [key, type, encode(bytes)]),
    });
    return result;
  }

  override async putWrites(config: RunnableConfig, writes: PendingWrite[], taskId: string, taskPath?: string): Promise<void> {
    const key = JSON.stringify([config.configurable?.thread_id, config.configurable?.checkpoint_ns, config.configurable?.checkpoint_id]);
    const before = new Set(Object.keys(this.writes[key] ?? {}));
    await super.putWrites(config, writes, taskId, taskPath);
    const added: Extract<LogLine, { op: "writes" }>["entries"] = {};
    for (const [inner, [task, channel, value, path]] of Object.entries(this.writes[key] ?? {})) {
      if (!before.has(inner)) added[inner] = path === undefined ? [task, channel, encode(value)] : [task, channel, encode(value), path];
    }
    if (Object.keys(added).length > 0) await this.append(String(config.configurable?.thread_id), { op: "writes", key, entries: added });
  }

  override async deleteThread(threadId: string): Promise<void> {
    await super.deleteThread(threadId);
    delete this.blobs[threadId];
    this.lists.forget(threadId);
    this.logs.close(this.fileOf(threadId));
    await fsp.rm(this.fileOf(threadId), { force: true });
  }
}
