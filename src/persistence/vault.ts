import { promises as fsp } from "node:fs";
import path from "node:path";
import { CONFIG_DEFAULTS } from "../config/index.js";
import type { JottyConfig, LearningMode } from "../config/index.js";
import { errorMessage, JottyError } from "../errors/index.js";
import { timed, type Telemetry } from "../telemetry/index.js";
import { systemClock, type Clock } from "../util/index.js";
import { AuditLog, type AuditAnchor, type AuditEntry, type AuditHead, type AuditRecord } from "./audit-log.js";
import { checkArchivedRuns, placeRuns, readBackup, writeBackup } from "./backup.js";
import { createWorkFolder, endedCheckpointFolders } from "./checkpoint-folders.js";
import { deriveKey, type Codec } from "./codec.js";
import type { JottyState } from "./jotty-state.js";
import type { Manifest } from "./manifest.js";
import { OutputFolder, type NamedRunCheck } from "./output-folder.js";
import { auditAnchorsOf, describeRuns, usageOf, type RunInfo, type VaultUsage } from "./run-listing.js";
import { loadNewest } from "./load-newest.js";
import { isRunName } from "./run-name.js";
import { checkFiles, readManifest, readRunState } from "./run-reader.js";
import { encodeState, writeFiles, writeManifest } from "./run-writer.js";
import { VaultCheckpointer } from "./vault-checkpointer.js";
import type { LockOptions } from "./vault-lock.js";
import { vaultOptionsFromConfig, type LoadedState, type SaveOptions, type VaultOptions } from "./vault-options.js";
import { acquireWriterLease, type ConcurrentWriters } from "./writer-lease.js";

const AUDIT_LOG = "audit.jsonl";


/**
 * Where learned state lives between runs. Each save writes a new run folder, named under the
 * folder's lock so names only ever increase (`run_YYYYMMDD_HHMMSS[_n]`), in the layout of
 * DESIGN.md: every file atomically, the manifest (each file's sha256, the audit records of the
 * save, for encrypted runs a MAC) last and then `LATEST`. A run without a valid manifest, or
 * whose files do not match it, is skipped with a warning in favour of the previous complete
 * one; what a crash left is cleaned up by the next operation that takes the lock.
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
  /** `audit.jsonl`: every save, deletion, export, reset, backup and restore, hash-chained. */
  readonly audit: AuditLog;
  private readonly codec: Codec;
  private readonly lockOptions: LockOptions;
  private readonly onWarning: ((warning: string) => void) | undefined;
  private readonly clock: Clock;
  private readonly telemetry: Telemetry | undefined;
  private readonly folder: OutputFolder;
  /** Runs whose checksums were verified, with the manifest that vouched for them (as JSON). */
  private readonly verified = new Map<string, string>();
  /** Warnings already told: a damaged run is reported once, not at every save. */
  private readonly told = new Set<string>();

  private constructor(options: VaultOptions, key: Buffer | undefined) {
    this.dir = path.resolve(options.dir);
    this.keepRuns = options.keepRuns ?? CONFIG_DEFAULTS.persistence.keepRuns;
    this.codec = { compress: options.compress ?? CONFIG_DEFAULTS.persistence.compress, key };
    this.clock = options.clock ?? systemClock;
    this.telemetry = options.telemetry;
    this.audit = new AuditLog(path.join(this.dir, AUDIT_LOG), this.clock, options.auditBy);
    this.lockOptions = { ...options.lock };
    this.onWarning = options.onWarning;
    this.folder = new OutputFolder(this.dir, { key, lock: this.lockOptions, audit: this.audit, warn: (warning, flags) => this.warn(warning, flags) });
  }

  /**
   * Opens (and creates) an output folder.
   *
   * @throws JottyError `invalid_argument` for a bad keepRuns or a path that is not a folder,
   *   `config_invalid` for a short key.
   */
  static async open(options: VaultOptions): Promise<Vault> {
    if (options.keepRuns !== undefined && (!Number.isInteger(options.keepRuns) || options.keepRuns < 1)) {
      throw new JottyError({ code: "invalid_argument", message: `keepRuns must be a positive integer, got ${options.keepRuns}.` });
    }
    const key = options.encryptionKey === undefined ? undefined : deriveKey(options.encryptionKey);
    const vault = new Vault(options, key);
    await fsp.mkdir(vault.dir, { recursive: true }).catch((error: NodeJS.ErrnoException) => {
      throw new JottyError({
        code: "invalid_argument",
        message: `The output folder ${vault.dir} cannot be created (${error.code === "EEXIST" || error.code === "ENOTDIR" ? "a file is in the way" : error.code ?? errorMessage(error)}); name a folder.`,
        cause: error,
      });
    });
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
    return Vault.open({ ...vaultOptionsFromConfig(config, env), ...options });
  }

  private warn(warning: string, { once = false }: { once?: boolean } = {}): void {
    if (once) {
      if (this.told.has(warning)) return;
      this.told.add(warning);
    }
    this.onWarning?.(warning);
  }

  private async locked<T>(work: (checks: NamedRunCheck[]) => Promise<T>): Promise<T> {
    return this.folder.locked(work);
  }

  /**
   * Writes a state as a new run and points `LATEST` at it; returns the run's name. The state is
   * checked first: its shape, and that every value survives JSON (no NaN, Infinity, cycles or
   * class instances), so nothing that would load differently is written.
   *
   * @throws JottyError `snapshot_invalid` for a state that does not pass (nothing is written),
   *   `vault_locked` when another process keeps the folder locked.
   */
  async save(state: JottyState, options: SaveOptions = {}): Promise<string> {
    return timed(this.telemetry, "save", () => this.saveUntimed(state, options));
  }

  private async saveUntimed(state: JottyState, { audit: extra = [], base }: SaveOptions): Promise<string> {
    const { runId, files } = await encodeState(state, this.codec);
    return this.locked(async (checks) => {
      const complete = checks.filter((check) => check.status === "complete").map((check) => check.name);
      if (base !== undefined && complete[0] !== undefined && complete[0] !== base) {
        this.warn(
          `${complete[0]} was saved in ${this.dir} by another writer after this state ${base === null ? "started empty" : `was loaded from ${base}`}; this save does not hold that learning (it stays in ${complete[0]}).`,
        );
      }
      const run = await this.folder.createRun(this.clock.now());
      const folder = path.join(this.dir, run);
      await writeFiles(folder, files);
      const doomed = complete.slice(this.keepRuns - 1);
      const entries: AuditEntry[] = [
        { action: "save", ids: [run], details: { files: files.length, bytes: files.reduce((total, file) => total + file.bytes.length, 0) } },
        ...extra.map((entry) => ({ ...entry, details: { ...entry.details, run } })),
        ...(doomed.length === 0 ? [] : [{ action: "delete" as const, ids: doomed, details: { reason: `keep ${this.keepRuns} runs` } }]),
      ];
      let head: AuditHead | undefined;
      let records: AuditRecord[] = [];
      try {
        head = await this.audit.head();
        records = this.audit.prepare(head, entries);
      } catch (error) {
        this.warn(`audit log not written: ${errorMessage(error)}`);
      }
      await this.folder.assertLocked();
      await writeManifest({ folder, run, runId, files, codec: this.codec, createdAt: new Date(this.clock.now()).toISOString(), records, auditLog: head?.log ?? records[0]?.hash ?? null });
      // Committed: what follows is tidying that the next locked operation would redo, so a
      // failure here is told, and the save stands.
      const tidy = async (what: string, step: () => Promise<unknown>): Promise<void> => {
        await step().catch((error: unknown) => this.warn(`${run} is saved, but ${what} failed: ${errorMessage(error)} (the next save retries it)`));
      };
      await tidy("pointing LATEST at it", () => this.folder.setLatest(run));
      if (records.length > 0) await tidy("writing the audit log", () => this.audit.appendRecords(records, head));
      for (const name of doomed) await tidy(`deleting ${name} (retention)`, () => this.removeRun(name));
      return run;
    });
  }

  private async removeRun(name: string): Promise<void> {
    await this.folder.removeRun(name);
    this.verified.delete(name);
  }

  /** Reads and checks one run; throws a JottyError naming the first problem. */
  private async readRun(run: string): Promise<JottyState> {
    return timed(this.telemetry, "load", () => readRunState(this.dir, run, this.codec.key, (warning) => this.warn(warning, { once: true })));
  }

  /**
   * The newest complete run's state. Runs that are incomplete or damaged (missing manifest,
   * checksum mismatch, undecodable, newer schema, plaintext in an encrypted folder) are skipped
   * with a warning naming the file; so is one `restore` throws on (a component that does not
   * restore). Nothing is deleted.
   *
   * @param options - `restore` turns the state into what the caller needs; a run it refuses is skipped.
   * @returns null when the folder holds no run at all.
   * @throws JottyError `vault_no_valid_state` when runs exist but none can be loaded (every reason listed).
   */
  async loadLatest(): Promise<LoadedState | null>;
  async loadLatest<T>(options: { restore: (state: JottyState, run: string) => Promise<T> }): Promise<(LoadedState & { restored: T }) | null>;
  async loadLatest<T>(options: { restore?: (state: JottyState, run: string) => Promise<T> } = {}): Promise<(LoadedState & { restored?: T }) | null> {
    return loadNewest({
      dir: this.dir,
      checks: await this.folder.checkAll(),
      encrypted: this.codec.key !== undefined,
      read: (run) => this.readRun(run),
      warn: (warning) => this.warn(warning, { once: true }),
      ...(options.restore === undefined ? {} : { restore: options.restore }),
    });
  }

  /**
   * The state of one named run (frozen inference in DISABLED mode).
   *
   * @throws JottyError `vault_run_not_found` for an unknown run; the run's own problem when it is damaged.
   */
  async load(run: string): Promise<LoadedState> {
    if (!isRunName(run) || !(await this.folder.runNames()).includes(run)) {
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
    return usageOf(await this.runs({ verify: false }), await this.audit.size());
  }

  /**
   * Every run folder, newest first, with its size and status. A run is complete when its
   * manifest is valid and every file matches its checksum (sizes only with `verify: false`);
   * damaged runs are also told to `onWarning`.
   */
  async runs({ verify = true }: { verify?: boolean } = {}): Promise<RunInfo[]> {
    return describeRuns(this.dir, await this.folder.checkAll(), { verify, verified: this.verified, warn: (warning) => this.warn(warning, { once: true }) });
  }

  /** What the runs' manifests remember of the audit log (the last record each save wrote), for {@link AuditLog.verify}. */
  async auditAnchors(): Promise<AuditAnchor[]> {
    return auditAnchorsOf(await this.folder.checkAll());
  }

  /**
   * A LangGraph checkpointer keeping graph checkpoints in a folder of this process's own
   * (`checkpoints/<process>/`, encrypted like the runs), never inside a run folder. It takes
   * over the checkpoints of processes that ended (see `adopted`), so an episode interrupted by
   * a crash resumes where it stopped; folders of live processes are left alone. `appendOnly`
   * names the channels whose lists are only appended to (see `VaultCheckpointerOptions`).
   */
  async checkpointer({ appendOnly = [] }: { appendOnly?: readonly string[] } = {}): Promise<VaultCheckpointer> {
    return this.locked(async (checks) => {
      const work = await createWorkFolder(this.dir);
      const adopt = await endedCheckpointFolders(this.dir, { except: work.dir, runs: checks.map((check) => check.name) });
      return VaultCheckpointer.open({
        dir: work.dir,
        key: this.codec.key,
        adopt,
        release: work.release,
        appendOnly,
        ...(this.onWarning === undefined ? {} : { onWarning: this.onWarning }),
      });
    });
  }

  /**
   * Takes the folder's writer lease for a learning run (see {@link acquireWriterLease}).
   * Returns its release.
   */
  async acquireWriter({ onBusy }: { onBusy: ConcurrentWriters }): Promise<() => Promise<void>> {
    return acquireWriterLease(this.dir, { onBusy, onWarning: this.onWarning, lock: this.lockOptions });
  }

  /**
   * Writes every complete run into one gzip archive with a checksum per file and one over the
   * whole; {@link Vault.restoreBackup} checks both before writing anything.
   */
  async backup(file: string): Promise<{ runs: number; bytes: number }> {
    // Under the lock, so retention cannot delete a run while it is copied.
    return this.locked(async (checks) => {
      const complete = new Set((await this.runs()).filter((run) => run.complete).map((run) => run.name));
      const runs = checks.filter((check) => check.manifest !== undefined && complete.has(check.name)).map((check) => ({ name: check.name, manifest: check.manifest as Manifest }));
      const written = await writeBackup({ dir: this.dir, runs, latest: runs[0]?.name ?? null, file, createdAt: new Date(this.clock.now()).toISOString() });
      await this.record({ action: "backup", ids: runs.map((run) => run.name), details: { file: path.resolve(file), bytes: written.bytes } });
      return written;
    });
  }

  /**
   * Restores an archive made by {@link Vault.backup} into a folder, after checking every
   * checksum. Each run is placed atomically, so an interrupted restore leaves only complete runs
   * and running it again finishes it; runs already complete there are left as they are.
   * Returns the runs written.
   *
   * @throws JottyError `backup_invalid` when the archive is damaged, or a run would not load in
   *   the folder (plaintext into an encrypted one, a manifest that does not authenticate);
   *   nothing is written.
   */
  static async restoreBackup(file: string, dir: string, options: Omit<VaultOptions, "dir"> = {}): Promise<{ runs: string[] }> {
    const body = await readBackup(file);
    checkArchivedRuns(file, body, options.encryptionKey === undefined ? undefined : deriveKey(options.encryptionKey));
    const vault = await Vault.open({ ...options, dir });
    return vault.locked(async () => {
      const runs = await placeRuns({
        dir: vault.dir,
        body,
        isComplete: async (run) => {
          const check = await readManifest(vault.dir, run, undefined);
          return check.manifest !== undefined && (await checkFiles(vault.dir, run, check.manifest)) === undefined;
        },
      });
      await vault.folder.setLatest((await vault.folder.checkAll()).find((check) => check.status === "complete")?.name);
      await vault.record({ action: "restore", ids: runs, details: { file: path.resolve(file) } });
      return { runs };
    });
  }

  /**
   * The newest state as one JSON document, for moving it elsewhere. Binary vectors are left
   * out (they are derived: the state they go with restores by embedding again).
   *
   * @throws JottyError `vault_no_valid_state` when there is nothing to export.
   */
  async export(): Promise<{ format: "jotty-export"; version: 1; exportedAt: string; run: string; state: JottyState }> {
    const loaded = await this.loadLatest();
    if (loaded === null) {
      throw new JottyError({ code: "vault_no_valid_state", message: `Nothing to export: ${this.dir} holds no run yet.` });
    }
    await this.audited({ action: "export", ids: [loaded.run] });
    const { vectors: _vectors, ...state } = loaded.state;
    return { format: "jotty-export", version: 1, exportedAt: new Date(this.clock.now()).toISOString(), run: loaded.run, state };
  }

  /**
   * Appends to the audit log. A log that cannot be written (damaged by hand, disk full) must
   * not cost learned state, so the failure is a warning; `jotty audit verify` shows the gap.
   */
  private async record(entry: AuditEntry): Promise<void> {
    try {
      await this.audit.append(entry);
    } catch (error) {
      this.warn(`audit log not written: ${errorMessage(error)}`);
    }
  }

  /**
   * Appends an entry to the audit log, holding the folder's lock: for operations on learned
   * state made outside the Vault.
   */
  async audited(entry: AuditEntry): Promise<void> {
    await this.locked(() => this.record(entry));
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
    return this.locked(async (checks) => {
      const names = checks.map((check) => check.name);
      for (const name of names) await this.removeRun(name);
      await this.folder.setLatest(undefined);
      // Checkpoints of processes that ended go too; a live process's own folder stays its own.
      for (const folder of await endedCheckpointFolders(this.dir, { runs: [] })) await fsp.rm(folder, { recursive: true, force: true });
      await this.record({ action: "reset", ids: names });
      return { deleted: names.length };
    });
  }
}
