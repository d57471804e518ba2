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

type Storage = MemorySaver["storage"];
type Writes = MemorySaver["writes"];

/** Channel values stored once per (channel, version): thread → namespace → `channel\0version` → [type, bytes]. */
type Blobs = Record<string, Record<string, Record<string, [string, Uint8Array]>>>;

/** One line of a thread's log. */
const LogLineSchema = z.discriminatedUnion("op", [
  z.strictObject({
    op: z.literal("put"),
    ns: z.string(),
    id: z.string(),
    checkpoint: z.string(),
    metadata: z.string(),
    parent: z.string().nullable(),
    blobs: z.array(z.tuple([z.string(), z.string(), z.string()])),
  }),
  z.strictObject({
    op: z.literal("writes"),
    key: z.string(),
    entries: z.record(z.string(), z.tuple([z.string(), z.string(), z.string(), z.string().optional()])),
  }),
]);

type LogLine = z.infer<typeof LogLineSchema>;

const encode = (bytes: Uint8Array): string => Buffer.from(bytes).toString("base64");
const decode = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, "base64"));

function blobKey(channel: string, version: unknown): string {
  return `${channel}\u0000${String(version)}`;
}

function fileOf(dir: string, thread: string): string {
  return path.join(dir, `${encodeURIComponent(thread)}.jsonl`);
}

/** Options of {@link VaultCheckpointer.open}. */
export interface VaultCheckpointerOptions {
  /** Where this checkpointer writes, one log file a thread. */
  dir: string;
  /** Earlier folders whose threads are read when this one lacks them (newest first). */
  fallbackDirs?: readonly string[];
}

/**
 * A LangGraph checkpoint saver that keeps every thread on disk. It builds on LangGraph's own
 * `MemorySaver` (same semantics, same serializer) and adds two things: channel values are
 * stored once per (channel, version) — only the channels a step changed (`newVersions`) are
 * written, as LangGraph's database savers do — and every `put` and `putWrites` is appended as
 * one line to `<dir>/<thread>.jsonl`, read back on open, so a graph interrupted by a crash
 * resumes from its last checkpoint. A line torn by a crash is ignored.
 */
export class VaultCheckpointer extends MemorySaver {
  /** Where threads are written. */
  readonly dir: string;
  private readonly blobs: Blobs = Object.create(null) as Blobs;

  private constructor(dir: string) {
    super();
    this.dir = dir;
  }

  /** Opens a folder of checkpoints, reading its threads (and those only in the fallback folders). */
  static async open({ dir, fallbackDirs = [] }: VaultCheckpointerOptions): Promise<VaultCheckpointer> {
    const saver = new VaultCheckpointer(path.resolve(dir));
    await fsp.mkdir(saver.dir, { recursive: true });
    const seen = new Set<string>();
    // Newest first: a thread is read from the newest folder that has it.
    for (const folder of [saver.dir, ...fallbackDirs]) {
      const names = await fsp.readdir(folder).catch(() => [] as string[]);
      for (const name of names) {
        if (!name.endsWith(".jsonl") || seen.has(name)) continue;
        seen.add(name);
        const thread = decodeURIComponent(name.slice(0, -".jsonl".length));
        const text = await fsp.readFile(path.join(folder, name), "utf8").catch(() => "");
        for (const line of text.split("\n")) {
          if (line.trim() === "") continue;
          let parsed: ReturnType<typeof LogLineSchema.safeParse>;
          try {
            parsed = LogLineSchema.safeParse(JSON.parse(line));
          } catch {
            continue; // torn by a crash mid-append
          }
          if (parsed.success) saver.apply(thread, parsed.data);
        }
        if (folder !== saver.dir) await fsp.copyFile(path.join(folder, name), fileOf(saver.dir, thread));
      }
    }
    return saver;
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
    await fsp.appendFile(fileOf(this.dir, thread), `${JSON.stringify(line)}\n`);
  }

  /** Channel values of a checkpoint, rebuilt from the blobs of its channel versions. */
  private async withValues(tuple: CheckpointTuple): Promise<CheckpointTuple> {
    const thread = String(tuple.config.configurable?.thread_id);
    const namespace = String(tuple.config.configurable?.checkpoint_ns ?? "");
    const stored = this.blobs[thread]?.[namespace] ?? {};
    const values: Record<string, unknown> = {};
    for (const [channel, version] of Object.entries(tuple.checkpoint.channel_versions ?? {})) {
      const blob = stored[blobKey(channel, version)];
      if (blob !== undefined) values[channel] = await this.serde.loadsTyped(blob[0], blob[1]);
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
    const blobs: Array<[string, [string, Uint8Array]]> = [];
    for (const [channel, version] of Object.entries(newVersions)) {
      if (channel in values) blobs.push([blobKey(channel, version), await this.serde.dumpsTyped(values[channel])]);
    }
    const result = await super.put(config, { ...checkpoint, channel_values: {} }, metadata);
    // super.put has checked the thread id; store the changed channels' values once per version.
    const thread = String(result.configurable?.thread_id);
    const namespace = String(result.configurable?.checkpoint_ns ?? "");
    const byNamespace = ((this.blobs[thread] ??= Object.create(null) as Blobs[string])[namespace] ??= Object.create(null) as Blobs[string][string]);
    for (const [key, blob] of blobs) byNamespace[key] = blob;
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
    await fsp.rm(fileOf(this.dir, threadId), { force: true });
  }
}
