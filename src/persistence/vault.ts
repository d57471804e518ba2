import { createHash } from "node:crypto";
import { promises as fsp } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { gunzip, gzip } from "node:zlib";
import { z } from "zod";
import type { JottyConfig, LearningMode } from "../config/index.js";
import { issueList, JottyError } from "../errors/index.js";
import { timed, type Telemetry } from "../telemetry/index.js";
import { systemClock, type Clock } from "../util/index.js";
import { writeFileAtomic } from "./atomic-write.js";
import { codecSuffix, decodeBytes, deriveKey, encodeText, type Codec } from "./codec.js";
import { joinState, JottyStateSchema, splitState, STATE_SCHEMA_VERSION, type JottyState } from "./jotty-state.js";
import { migrateState } from "./migrations/index.js";
import { isRunName, newestFirst, runName } from "./run-name.js";
import { VaultCheckpointer } from "./vault-checkpointer.js";
import { AuditLog } from "./audit-log.js";
import { acquireLock, type LockOptions } from "./vault-lock.js";

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

const MANIFEST = "jotty_state/manifest.json";
const LATEST = "LATEST";
const AUDIT_LOG = "audit.jsonl";

const ManifestSchema = z.strictObject({
  manifestVersion: z.literal(1),
  schemaVersion: z.int().positive(),
  createdAt: z.string(),
  run: z.string(),
  codec: z.strictObject({ compress: z.boolean(), encrypted: z.boolean() }),
  files: z.array(
    z.strictObject({
      path: z.string(),
      stem: z.string(),
      bytes: z.int().min(0),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
    }),
  ),
});

type Manifest = z.infer<typeof ManifestSchema>;

/** Options of {@link Vault.open}. */
export interface VaultOptions {
  /** The output folder holding run folders and `LATEST`. */
  dir: string;
  /** Complete runs kept; older ones go (never the one `LATEST` names). @default 10 */
  keepRuns?: number;
  /** gzip every state file. @default false */
  compress?: boolean;
  /** Passphrase for AES-256-GCM encryption of every state file. */
  encryptionKey?: string;
  /** Waiting for another process's save. @default wait up to 30 s */
  lock?: LockOptions;
  /** Told about every run skipped on load, and why. */
  onWarning?: (warning: string) => void;
  /** Where time is read for run names and timestamps (lock waits use real time). @default systemClock */
  clock?: Clock;
  /** Who the audit log names for this vault's operations. @default the operating-system user */
  auditBy?: string;
  /** Where `save` and `load` latencies are recorded. */
  telemetry?: Telemetry;
}

/** A run folder and what it holds. */
export interface RunInfo {
  name: string;
  /** Its manifest is present and lists files that all exist with their recorded sizes. */
  complete: boolean;
  /** Bytes on disk, all files included. */
  bytes: number;
  /** From the manifest, when complete. */
  createdAt?: string;
  schemaVersion?: number;
}

/** Learned state on disk: what {@link Vault.usage} returns. */
export interface VaultUsage {
  /** Bytes of the complete runs kept plus the audit log. */
  bytes: number;
  /** Complete runs, oldest first, with their size and growth over the run before (null for the first). */
  runs: Array<{ run: string; bytes: number; growth: number | null }>;
  /** Mean growth per run over the runs kept (null with fewer than two). */
  growthPerRun: number | null;
}

/** A state loaded from a run. */
export interface LoadedState {
  state: JottyState;
  run: string;
  /** Runs skipped before this one, and why. */
  warnings: string[];
}

async function sha256(bytes: Uint8Array): Promise<string> {
  return createHash("sha256").update(bytes).digest("hex");
}

async function folderBytes(folder: string): Promise<number> {
  let total = 0;
  for (const entry of await fsp.readdir(folder, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await fsp.stat(path.join(entry.parentPath, entry.name))).size;
  }
  return total;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Where learned state lives between runs. Each save writes a new run folder
 * (`run_YYYYMMDD_HHMMSS[_n]`) in the layout of DESIGN.md, every file atomically, the manifest
 * (schema version and each file's sha256) last and then `LATEST`; a run without a valid
 * manifest, or whose files do not match it, is skipped on load in favour of the previous
 * complete one. Saves take a lock on the folder, so two processes never interleave.
 *
 * @example
 * ```ts
 * const vault = await Vault.open({ dir: "outputs" });
 * const run = await vault.save({ schemaVersion: 1, qPredictor: q.snapshot() });
 * const loaded = await vault.loadLatest(); // { state, run, warnings } or null
 * ```
 */
export class Vault {
  /** The output folder. */
  readonly dir: string;
  readonly keepRuns: number;
  private readonly codec: Codec;
  private readonly lockOptions: LockOptions;
  private readonly onWarning: ((warning: string) => void) | undefined;
  private readonly clock: Clock;
  private readonly telemetry: Telemetry | undefined;
  /** `audit.jsonl`: every save, deletion, export, reset, backup and restore, hash-chained. */
  readonly audit: AuditLog;
  /** The run folder this process works in (checkpoints), completed by its first save. */
  private workRun: string | undefined;

  private constructor(options: VaultOptions, key: Buffer | undefined) {
    this.dir = path.resolve(options.dir);
    this.keepRuns = options.keepRuns ?? 10;
    this.codec = { compress: options.compress ?? false, key };
    this.clock = options.clock ?? systemClock;
    this.telemetry = options.telemetry;
    this.audit = new AuditLog(path.join(this.dir, AUDIT_LOG), this.clock, options.auditBy);
    // Waiting for a lock takes real time, whatever clock names the runs.
    this.lockOptions = { ...options.lock };
    this.onWarning = options.onWarning;
  }

  /**
   * Opens (and creates) an output folder.
   *
   * @throws JottyError `invalid_argument` for a bad keepRuns, `config_invalid` for a short key.
   */
  static async open(options: VaultOptions): Promise<Vault> {
    if (options.keepRuns !== undefined && (!Number.isInteger(options.keepRuns) || options.keepRuns < 1)) {
      throw new JottyError({ code: "invalid_argument", message: `keepRuns must be a positive integer, got ${options.keepRuns}.` });
    }
    const key = options.encryptionKey === undefined ? undefined : deriveKey(options.encryptionKey);
    const vault = new Vault(options, key);
    await fsp.mkdir(vault.dir, { recursive: true });
    return vault;
  }

  /**
   * A vault from the config's `outputDir` and `persistence` section; the encryption key is read
   * from the environment variable it names.
   *
   * @throws JottyError `config_invalid` when that variable is not set.
   */
  static async fromConfig(
    config: Pick<JottyConfig, "outputDir" | "persistence">,
    { env = process.env, ...options }: { env?: Record<string, string | undefined> } & Partial<Pick<VaultOptions, "onWarning" | "clock" | "telemetry" | "auditBy">> = {},
  ): Promise<Vault> {
    const { persistence } = config;
    let encryptionKey: string | undefined;
    if (persistence.encryptionKeyEnv !== undefined) {
      encryptionKey = env[persistence.encryptionKeyEnv];
      if (encryptionKey === undefined) {
        throw new JottyError({
          code: "config_invalid",
          message: `persistence.encryptionKeyEnv names ${persistence.encryptionKeyEnv}, but that environment variable is not set. Set it to the vault's passphrase.`,
        });
      }
    }
    return Vault.open({
      dir: config.outputDir,
      keepRuns: persistence.keepRuns,
      compress: persistence.compress,
      lock: persistence.lock,
      ...(encryptionKey === undefined ? {} : { encryptionKey }),
      ...options,
    });
  }

  private warn(warning: string): void {
    this.onWarning?.(warning);
  }

  private async runNames(): Promise<string[]> {
    const entries = await fsp.readdir(this.dir, { withFileTypes: true }).catch(() => []);
    return entries.filter((entry) => entry.isDirectory() && isRunName(entry.name)).map((entry) => entry.name).sort(newestFirst);
  }

  /** Creates a new, empty run folder with a unique name. */
  private async createRunFolder(): Promise<string> {
    const now = this.clock.now();
    for (let attempt = 1; ; attempt += 1) {
      const name = runName(now, attempt);
      try {
        await fsp.mkdir(path.join(this.dir, name));
        return name;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      }
    }
  }

  private async readManifest(run: string): Promise<Manifest | undefined> {
    const text = await fsp.readFile(path.join(this.dir, run, MANIFEST), "utf8").catch(() => undefined);
    if (text === undefined) return undefined;
    const parsed = ManifestSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  }

  /**
   * Writes a state as a new run and points `LATEST` at it; returns the run's name.
   *
   * @throws JottyError `snapshot_invalid` for a state that does not match the schema (nothing
   *   is written), `vault_locked` when another process keeps the folder locked.
   */
  async save(state: JottyState): Promise<string> {
    return timed(this.telemetry, "save", () => this.saveUntimed(state));
  }

  private async saveUntimed(state: JottyState): Promise<string> {
    const parsed = JottyStateSchema.safeParse(state);
    if (!parsed.success) {
      throw new JottyError({
        code: "snapshot_invalid",
        message: `Cannot save this state: ${issueList(parsed.error, { root: "(root)", limit: 5 }).join("; ")}.`,
      });
    }
    const suffix = codecSuffix(this.codec);
    const encoded = await Promise.all(
      splitState(parsed.data).map(async ({ stem, content }) => {
        const bytes = await encodeText(JSON.stringify(content), this.codec);
        return { stem, path: `${stem}${suffix}`, bytes, sha256: await sha256(bytes) };
      }),
    );
    const release = await acquireLock(this.dir, this.lockOptions);
    try {
      let run = this.workRun;
      this.workRun = undefined;
      if (run === undefined || (await this.readManifest(run)) !== undefined) run = await this.createRunFolder();
      const folder = path.join(this.dir, run);
      await Promise.all(encoded.map((file) => writeFileAtomic(path.join(folder, file.path), file.bytes)));
      const manifest: Manifest = {
        manifestVersion: 1,
        schemaVersion: STATE_SCHEMA_VERSION,
        createdAt: new Date(this.clock.now()).toISOString(),
        run,
        codec: { compress: this.codec.compress, encrypted: this.codec.key !== undefined },
        files: encoded.map(({ stem, path: file, bytes, sha256: hash }) => ({ path: file, stem, bytes: bytes.length, sha256: hash })),
      };
      await writeFileAtomic(path.join(folder, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
      await writeFileAtomic(path.join(this.dir, LATEST), `${run}\n`);
      await this.record({ action: "save", ids: [run], details: { files: encoded.length, bytes: encoded.reduce((total, file) => total + file.bytes.length, 0) } });
      const removed = await this.applyRetention(run);
      if (removed.length > 0) await this.record({ action: "delete", ids: removed, details: { reason: `keep ${this.keepRuns} runs` } });
      return run;
    } finally {
      await release();
    }
  }

  /** Deletes complete runs beyond `keepRuns`, never the one just written or the one LATEST names. */
  private async applyRetention(current: string): Promise<string[]> {
    const latest = await this.latestName();
    const complete: string[] = [];
    const removed: string[] = [];
    for (const name of await this.runNames()) if ((await this.readManifest(name)) !== undefined) complete.push(name);
    for (const name of complete.slice(this.keepRuns)) {
      if (name === current || name === latest) continue;
      await fsp.rm(path.join(this.dir, name), { recursive: true, force: true });
      removed.push(name);
    }
    return removed;
  }

  private async latestName(): Promise<string | undefined> {
    const text = await fsp.readFile(path.join(this.dir, LATEST), "utf8").catch(() => undefined);
    return text?.trim() || undefined;
  }

  /** Reads and checks one run; throws a JottyError naming the first problem. */
  private async readRun(run: string): Promise<JottyState> {
    return timed(this.telemetry, "load", () => this.readRunUntimed(run));
  }

  private async readRunUntimed(run: string): Promise<JottyState> {
    const folder = path.join(this.dir, run);
    const text = await fsp.readFile(path.join(folder, MANIFEST), "utf8").catch(() => undefined);
    if (text === undefined) {
      throw new JottyError({ code: "snapshot_invalid", message: `${run}: missing ${MANIFEST} (the save did not finish)` });
    }
    let manifestData: unknown;
    try {
      manifestData = JSON.parse(text);
    } catch {
      throw new JottyError({ code: "snapshot_invalid", message: `${run}: ${MANIFEST} is not valid JSON` });
    }
    const manifest = ManifestSchema.safeParse(manifestData);
    if (!manifest.success) throw new JottyError({ code: "snapshot_invalid", message: `${run}: ${MANIFEST} does not match its schema` });
    const { codec, files, schemaVersion } = manifest.data;
    if (schemaVersion > STATE_SCHEMA_VERSION) {
      throw new JottyError({
        code: "snapshot_version_unsupported",
        message: `${run}: state schema version ${schemaVersion} is newer than this Jotty reads (${STATE_SCHEMA_VERSION}); upgrade Jotty to load it`,
      });
    }
    const contents = await Promise.all(
      files.map(async (file) => {
        const bytes = await fsp.readFile(path.join(folder, file.path)).catch(() => undefined);
        if (bytes === undefined) throw new JottyError({ code: "snapshot_invalid", message: `${run}: missing ${file.path}` });
        if (bytes.length !== file.bytes || (await sha256(bytes)) !== file.sha256) {
          throw new JottyError({ code: "snapshot_invalid", message: `${run}: ${file.path} does not match its checksum in the manifest` });
        }
        let decoded: string;
        try {
          decoded = await decodeBytes(bytes, { compressed: codec.compress, encrypted: codec.encrypted, key: this.codec.key });
        } catch (error) {
          throw new JottyError({ code: JottyError.is(error) ? error.code : "snapshot_invalid", message: `${run}: ${file.path}: ${describe(error)}` });
        }
        try {
          return { stem: file.stem, content: JSON.parse(decoded) as unknown };
        } catch {
          throw new JottyError({ code: "snapshot_invalid", message: `${run}: ${file.path} is not valid JSON` });
        }
      }),
    );
    const migrated = migrateState(joinState(schemaVersion, contents));
    const state = JottyStateSchema.safeParse(migrated);
    if (!state.success) throw new JottyError({ code: "snapshot_invalid", message: `${run}: the state does not match schema version ${STATE_SCHEMA_VERSION}` });
    return state.data;
  }

  /**
   * The newest complete run's state. Runs that are incomplete or damaged (missing manifest,
   * checksum mismatch, undecodable, newer schema) are skipped with a warning naming the file;
   * nothing is deleted.
   *
   * @returns null when the folder holds no run at all.
   * @throws JottyError `vault_no_valid_state` when runs exist but none can be loaded (every reason listed).
   */
  async loadLatest(): Promise<LoadedState | null> {
    const names = await this.runNames();
    if (names.length === 0) return null;
    const warnings: string[] = [];
    for (const name of names) {
      try {
        const state = await this.readRun(name);
        return { state, run: name, warnings };
      } catch (error) {
        const warning = `Skipped ${describe(error)}`;
        warnings.push(warning);
        this.warn(warning);
      }
    }
    const decryption = warnings.some((warning) => warning.includes("key is wrong") || warning.includes("no key was given"));
    throw new JottyError({
      code: decryption ? "vault_decrypt_failed" : "vault_no_valid_state",
      message: `No run in ${this.dir} can be loaded:\n${warnings.map((warning) => `  - ${warning}`).join("\n")}${decryption ? "\nCheck the encryption key." : ""}`,
      details: { warnings },
    });
  }

  /**
   * The state of one named run (frozen inference in DISABLED mode).
   *
   * @throws JottyError `vault_run_not_found` for an unknown run; the run's own problem when it is damaged.
   */
  async load(run: string): Promise<LoadedState> {
    if (!isRunName(run) || !(await this.runNames()).includes(run)) {
      throw new JottyError({
        code: "vault_run_not_found",
        message: `No run named "${run}" in ${this.dir}; \`jotty inspect\` or vault.runs() lists them.`,
        details: { run },
      });
    }
    return { state: await this.readRun(run), run, warnings: [] };
  }

  /** The state a learning mode starts from: PERSISTENT the newest run, DISABLED only the named run, CONTEXTUAL nothing. */
  async loadForMode({ mode, run }: { mode: LearningMode; run?: string | undefined }): Promise<LoadedState | null> {
    if (mode === "persistent") return this.loadLatest();
    if (mode === "disabled" && run !== undefined) return this.load(run);
    return null;
  }

  /** Saves when the learning mode keeps state (PERSISTENT) and returns the run; otherwise writes nothing and returns null. */
  async saveForMode({ mode, state }: { mode: LearningMode; state: JottyState }): Promise<string | null> {
    return mode === "persistent" ? this.save(state) : null;
  }

  /** Size on disk of the complete runs and the audit log, and how much each run grew over the one before. */
  async usage(): Promise<VaultUsage> {
    const complete = (await this.runs()).filter((run) => run.complete).reverse();
    const runs = complete.map((run, index) => ({
      run: run.name,
      bytes: run.bytes,
      growth: index === 0 ? null : run.bytes - (complete[index - 1] as RunInfo).bytes,
    }));
    const growths = runs.flatMap((run) => (run.growth === null ? [] : [run.growth]));
    return {
      bytes: complete.reduce((total, run) => total + run.bytes, 0) + (await this.audit.size()),
      runs,
      growthPerRun: growths.length === 0 ? null : growths.reduce((total, growth) => total + growth, 0) / growths.length,
    };
  }

  /** Every run folder, newest first, with its size and whether it is complete. */
  async runs(): Promise<RunInfo[]> {
    const infos: RunInfo[] = [];
    for (const name of await this.runNames()) {
      const folder = path.join(this.dir, name);
      const manifest = await this.readManifest(name);
      let complete = manifest !== undefined;
      for (const file of manifest?.files ?? []) {
        const size = await fsp.stat(path.join(folder, file.path)).then((stat) => stat.size, () => -1);
        if (size !== file.bytes) complete = false;
      }
      infos.push({
        name,
        complete,
        bytes: await folderBytes(folder),
        ...(manifest === undefined ? {} : { createdAt: manifest.createdAt, schemaVersion: manifest.schemaVersion }),
      });
    }
    return infos;
  }

  /**
   * A LangGraph checkpointer keeping graph checkpoints in this process's run folder (which the
   * next save completes); threads not found there are looked up in earlier runs, so an episode
   * interrupted by a crash resumes where it stopped.
   */
  async checkpointer(): Promise<VaultCheckpointer> {
    if (this.workRun === undefined) {
      const release = await acquireLock(this.dir, this.lockOptions);
      try {
        this.workRun = await this.createRunFolder();
      } finally {
        await release();
      }
    }
    const work = this.workRun;
    const earlier = (await this.runNames()).filter((name) => name !== work).map((name) => path.join(this.dir, name, "checkpoints"));
    return VaultCheckpointer.open({ dir: path.join(this.dir, work, "checkpoints"), fallbackDirs: earlier });
  }

  /**
   * Writes every complete run into one gzip archive with a checksum per file and one over the
   * whole; {@link Vault.restoreBackup} checks both before writing anything.
   */
  async backup(file: string): Promise<{ runs: number; bytes: number }> {
    const runs: Array<{ name: string; files: Array<{ path: string; sha256: string; data: string }> }> = [];
    for (const info of await this.runs()) {
      if (!info.complete) continue;
      const folder = path.join(this.dir, info.name);
      const files: Array<{ path: string; sha256: string; data: string }> = [];
      for (const entry of await fsp.readdir(folder, { withFileTypes: true, recursive: true })) {
        if (!entry.isFile() || entry.name.endsWith(".tmp")) continue;
        const full = path.join(entry.parentPath, entry.name);
        const bytes = await fsp.readFile(full);
        files.push({ path: path.relative(folder, full).split(path.sep).join("/"), sha256: await sha256(bytes), data: bytes.toString("base64") });
      }
      runs.push({ name: info.name, files });
    }
    const body = JSON.stringify({ latest: (await this.latestName()) ?? null, runs });
    const archive = JSON.stringify({ format: "jotty-backup", version: 1, createdAt: new Date(this.clock.now()).toISOString(), sha256: await sha256(Buffer.from(body)), body });
    const bytes = await gzipAsync(Buffer.from(archive));
    await writeFileAtomic(path.resolve(file), bytes);
    await this.locked(() => this.record({ action: "backup", ids: runs.map((run) => run.name), details: { file: path.resolve(file), bytes: bytes.length } }));
    return { runs: runs.length, bytes: bytes.length };
  }

  /**
   * Restores an archive made by {@link Vault.backup} into a folder, after checking every
   * checksum; runs already present are left as they are.
   *
   * @throws JottyError `backup_invalid` when the archive is damaged (nothing is written).
   */
  static async restoreBackup(file: string, dir: string): Promise<{ runs: string[] }> {
    const invalid = (reason: string, cause?: unknown): JottyError =>
      new JottyError({ code: "backup_invalid", message: `${file} is not a usable Jotty backup: ${reason}. Nothing was restored.`, cause });
    let archive: { format?: unknown; version?: unknown; sha256?: unknown; body?: unknown };
    try {
      archive = JSON.parse((await gunzipAsync(await fsp.readFile(file))).toString("utf8")) as typeof archive;
    } catch (error) {
      throw invalid("it does not decompress into JSON", error);
    }
    if (archive.format !== "jotty-backup" || archive.version !== 1 || typeof archive.body !== "string") throw invalid("unknown format");
    if ((await sha256(Buffer.from(archive.body))) !== archive.sha256) throw invalid("its checksum does not match");
    const body = JSON.parse(archive.body) as { latest: string | null; runs: Array<{ name: string; files: Array<{ path: string; sha256: string; data: string }> }> };
    for (const run of body.runs) {
      if (!isRunName(run.name)) throw invalid(`it names an invalid run "${run.name}"`);
      for (const entry of run.files) {
        if (entry.path.split("/").includes("..") || path.isAbsolute(entry.path)) throw invalid(`it holds an unsafe path "${entry.path}"`);
        if ((await sha256(Buffer.from(entry.data, "base64"))) !== entry.sha256) throw invalid(`${run.name}/${entry.path} does not match its checksum`);
      }
    }
    const target = path.resolve(dir);
    const release = await acquireLock(target);
    const restored: string[] = [];
    try {
      for (const run of body.runs) {
        const folder = path.join(target, run.name);
        if (await fsp.stat(folder).then(() => true, () => false)) continue;
        // The manifest goes last, so an interrupted restore leaves an incomplete (skipped) run.
        const ordered = [...run.files].sort((a, b) => Number(a.path === MANIFEST) - Number(b.path === MANIFEST));
        for (const entry of ordered) await writeFileAtomic(path.join(folder, entry.path), Buffer.from(entry.data, "base64"));
        restored.push(run.name);
      }
      if (body.latest !== null && restored.includes(body.latest)) await writeFileAtomic(path.join(target, LATEST), `${body.latest}\n`);
      // As for every audit entry, a log that cannot be written does not undo the restore.
      await new AuditLog(path.join(target, AUDIT_LOG), systemClock).append({ action: "restore", ids: restored, details: { file: path.resolve(file) } }).catch(() => undefined);
    } finally {
      await release();
    }
    return { runs: restored };
  }

  /**
   * The newest state as one JSON document, for moving it elsewhere.
   *
   * @throws JottyError `vault_no_valid_state` when there is nothing to export.
   */
  async export(): Promise<{ format: "jotty-export"; version: 1; exportedAt: string; run: string; state: JottyState }> {
    const loaded = await this.loadLatest();
    if (loaded === null) {
      throw new JottyError({ code: "vault_no_valid_state", message: `Nothing to export: ${this.dir} holds no run yet.` });
    }
    await this.locked(() => this.record({ action: "export", ids: [loaded.run] }));
    return { format: "jotty-export", version: 1, exportedAt: new Date(this.clock.now()).toISOString(), run: loaded.run, state: loaded.state };
  }

  /**
   * Appends to the audit log. A log that cannot be written (damaged by hand, disk full) must
   * not cost learned state, so the failure is a warning; `jotty audit verify` shows the gap.
   */
  private async record(entry: Parameters<AuditLog["append"]>[0]): Promise<void> {
    try {
      await this.audit.append(entry);
    } catch (error) {
      this.onWarning?.(`audit log not written: ${describe(error)}`);
    }
  }

  /**
   * Appends an entry to the audit log, holding the folder's lock: for operations on learned
   * state made outside the Vault, such as pruning memories.
   */
  async audited(entry: Parameters<AuditLog["append"]>[0]): Promise<void> {
    await this.locked(() => this.record(entry));
  }

  /** Runs `work` holding the folder's lock. */
  private async locked<T>(work: () => Promise<T>): Promise<T> {
    const release = await acquireLock(this.dir, this.lockOptions);
    try {
      return await work();
    } finally {
      await release();
    }
  }

  /**
   * Deletes every run and `LATEST`: all learned state. Asks for `{ confirm: true }`.
   *
   * @throws JottyError `confirmation_required` without it (nothing is deleted).
   */
  async reset({ confirm }: { confirm: boolean }): Promise<{ deleted: number }> {
    if (confirm !== true) {
      throw new JottyError({
        code: "confirmation_required",
        message: `reset() deletes all learned state in ${this.dir}; call reset({ confirm: true }) to do it.`,
      });
    }
    const release = await acquireLock(this.dir, this.lockOptions);
    try {
      const names = await this.runNames();
      for (const name of names) await fsp.rm(path.join(this.dir, name), { recursive: true, force: true });
      await fsp.rm(path.join(this.dir, LATEST), { force: true });
      this.workRun = undefined;
      await this.record({ action: "reset", ids: names });
      return { deleted: names.length };
    } finally {
      await release();
    }
  }
}
