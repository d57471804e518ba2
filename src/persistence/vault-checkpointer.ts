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
import { writeFileAtomic } from "./atomic-write.js";

type Storage = MemorySaver["storage"];
type Writes = MemorySaver["writes"];

const ThreadFileSchema = z.strictObject({
  version: z.literal(1),
  thread: z.string(),
  blobs: z.record(z.string(), z.record(z.string(), z.tuple([z.string(), z.string()]))),
  storage: z.record(z.string(), z.record(z.string(), z.tuple([z.string(), z.string(), z.string().nullable()]))),
  writes: z.record(z.string(), z.record(z.string(), z.tuple([z.string(), z.string(), z.string(), z.string().optional()]))),
});

type ThreadFile = z.infer<typeof ThreadFileSchema>;

const encode = (bytes: Uint8Array): string => Buffer.from(bytes).toString("base64");
const decode = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, "base64"));

function fileOf(dir: string, thread: string): string {
  return path.join(dir, `${encodeURIComponent(thread)}.json`);
}

/** Options of {@link VaultCheckpointer.open}. */
export interface VaultCheckpointerOptions {
  /** Where this checkpointer writes, one file a thread. */
  dir: string;
  /** Earlier folders whose threads are read when this one lacks them (newest first). */
  fallbackDirs?: readonly string[];
}

/** Channel values stored once per (channel, version): thread → namespace → `channel\0version` → [type, bytes]. */
type Blobs = Record<string, Record<string, Record<string, [string, Uint8Array]>>>;

function blobKey(channel: string, version: unknown): string {
  return `${channel}\u0000${String(version)}`;
}

/**
 * A LangGraph checkpoint saver that keeps every thread on disk. It builds on LangGraph's own
 * `MemorySaver` (same semantics, same serializer) and adds two things: channel values are
 * stored once per (channel, version) — only the channels a step changed (`newVersions`) are
 * written, as LangGraph's database savers do — and each thread is written atomically to
 * `<dir>/<thread>.json` after every `put` and `putWrites`, then read back on open, so a graph
 * interrupted by a crash resumes from its last checkpoint.
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
    // Oldest first, so newer copies of a thread replace older ones.
    for (const folder of [...fallbackDirs].reverse().concat(saver.dir)) {
      const names = await fsp.readdir(folder).catch(() => [] as string[]);
      for (const name of names) {
        if (!name.endsWith(".json")) continue;
        const parsed = ThreadFileSchema.safeParse(
          await fsp.readFile(path.join(folder, name), "utf8").then((text) => JSON.parse(text) as unknown, () => undefined),
        );
        if (parsed.success) saver.loadThread(parsed.data);
      }
    }
    return saver;
  }

  private loadThread(file: ThreadFile): void {
    const storage: Storage[string] = Object.create(null) as Storage[string];
    for (const [namespace, checkpoints] of Object.entries(file.storage)) {
      storage[namespace] = Object.create(null) as Storage[string][string];
      for (const [id, [checkpoint, metadata, parent]] of Object.entries(checkpoints)) {
        (storage[namespace] as Storage[string][string])[id] = [decode(checkpoint), decode(metadata), parent ?? undefined];
      }
    }
    this.storage[file.thread] = storage;
    const blobs: Blobs[string] = Object.create(null) as Blobs[string];
    for (const [namespace, entries] of Object.entries(file.blobs)) {
      blobs[namespace] = Object.create(null) as Blobs[string][string];
      for (const [key, [type, value]] of Object.entries(entries)) (blobs[namespace] as Blobs[string][string])[key] = [type, decode(value)];
    }
    this.blobs[file.thread] = blobs;
    for (const key of Object.keys(this.writes)) {
      if ((JSON.parse(key) as [string])[0] === file.thread) delete this.writes[key];
    }
    for (const [key, writes] of Object.entries(file.writes)) {
      const restored: Writes[string] = Object.create(null) as Writes[string];
      for (const [inner, [task, channel, value, taskPath]] of Object.entries(writes)) {
        restored[inner] = taskPath === undefined ? [task, channel, decode(value)] : [task, channel, decode(value), taskPath];
      }
      this.writes[key] = restored;
    }
  }

  private async persist(thread: string): Promise<void> {
    const storage: ThreadFile["storage"] = {};
    for (const [namespace, checkpoints] of Object.entries(this.storage[thread] ?? {})) {
      storage[namespace] = {};
      for (const [id, [checkpoint, metadata, parent]] of Object.entries(checkpoints)) {
        (storage[namespace] as ThreadFile["storage"][string])[id] = [encode(checkpoint), encode(metadata), parent ?? null];
      }
    }
    const writes: ThreadFile["writes"] = {};
    for (const [key, entries] of Object.entries(this.writes)) {
      if ((JSON.parse(key) as [string])[0] !== thread) continue;
      writes[key] = {};
      for (const [inner, [task, channel, value, taskPath]] of Object.entries(entries)) {
        (writes[key] as ThreadFile["writes"][string])[inner] =
          taskPath === undefined ? [task, channel, encode(value)] : [task, channel, encode(value), taskPath];
      }
    }
    const blobs: ThreadFile["blobs"] = {};
    for (const [namespace, entries] of Object.entries(this.blobs[thread] ?? {})) {
      blobs[namespace] = {};
      for (const [key, [type, value]] of Object.entries(entries)) (blobs[namespace] as ThreadFile["blobs"][string])[key] = [type, encode(value)];
    }
    const file: ThreadFile = { version: 1, thread, blobs, storage, writes };
    await writeFileAtomic(fileOf(this.dir, thread), JSON.stringify(file));
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
    const thread = config.configurable?.thread_id as string | undefined;
    const namespace = String(config.configurable?.checkpoint_ns ?? "");
    const values = checkpoint.channel_values ?? {};
    const blobs: Array<[string, [string, Uint8Array]]> = [];
    for (const [channel, version] of Object.entries(newVersions)) {
      if (channel in values) blobs.push([blobKey(channel, version), await this.serde.dumpsTyped(values[channel])]);
    }
    const result = await super.put(config, { ...checkpoint, channel_values: {} }, metadata);
    // super.put has checked the thread id; store the changed channels' values once per version.
    const byThread = (this.blobs[thread as string] ??= Object.create(null) as Blobs[string]);
    const byNamespace = (byThread[namespace] ??= Object.create(null) as Blobs[string][string]);
    for (const [key, blob] of blobs) byNamespace[key] = blob;
    await this.persist(String(result.configurable?.thread_id));
    return result;
  }

  override async putWrites(config: RunnableConfig, writes: PendingWrite[], taskId: string, taskPath?: string): Promise<void> {
    await super.putWrites(config, writes, taskId, taskPath);
    await this.persist(String(config.configurable?.thread_id));
  }

  override async deleteThread(threadId: string): Promise<void> {
    await super.deleteThread(threadId);
    delete this.blobs[threadId];
    await fsp.rm(fileOf(this.dir, threadId), { force: true });
  }
}
