/** A value that survives `JSON.stringify` / `JSON.parse` unchanged. */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | JsonValue[]
  | { [key: string]: JsonValue };

/**
 * What went wrong, as a stable string callers can branch on.
 *
 * Grouped by domain: configuration, arguments, learning, environments, snapshots, CLI.
 */
export type JottyErrorCode =
  | "config_not_found"
  | "config_parse_error"
  | "config_invalid"
  | "invalid_argument"
  | "invalid_reward"
  | "invalid_action"
  | "environment_not_ready"
  | "episode_done"
  | "unknown_environment"
  | "snapshot_invalid"
  | "io_error"
  | "capacity_exceeded"
  | "snapshot_version_unsupported"
  | "llm_error"
  | "memory_not_found"
  | "episode_active"
  | "no_active_episode"
  | "vault_locked"
  | "vault_no_valid_state"
  | "vault_decrypt_failed"
  | "vault_run_not_found"
  | "backup_invalid"
  | "confirmation_required"
  | "audit_invalid"
  | "sql_timeout";

/** Options of {@link JottyError}. */
export interface JottyErrorOptions {
  /** Stable code of the failure. */
  code: JottyErrorCode;
  /** What was wrong and what to do about it, in one or two sentences. */
  message: string;
  /** Structured facts for programs (must be JSON). */
  details?: Record<string, JsonValue>;
  /** The underlying error, when one exists. */
  cause?: unknown;
}

/**
 * The one error type Jotty throws.
 *
 * Every message says what was wrong and what to do; `details` carries the same
 * facts as JSON for programs, and `cause` the underlying error when there is one.
 *
 * @example
 * ```ts
 * try {
 *   await loadConfig("configs/missing.json");
 * } catch (error) {
 *   if (JottyError.is(error, "config_not_found")) console.error(error.message);
 * }
 * ```
 */
export class JottyError extends Error {
  override readonly name = "JottyError";
  /** Stable code of the failure. */
  readonly code: JottyErrorCode;
  /** Structured facts for programs; JSON only. */
  readonly details: Readonly<Record<string, JsonValue>>;

  /**
   * @param options - code, message, optional details and cause.
   */
  constructor(options: JottyErrorOptions) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = options.code;
    this.details = options.details ?? {};
  }

  /**
   * Whether `error` is a JottyError, optionally with the given code.
   *
   * @param error - anything caught.
   * @param code - when given, the code it must have.
   */
  static is(error: unknown, code?: JottyErrorCode): error is JottyError {
    return error instanceof JottyError && (code === undefined || error.code === code);
  }

  /** A JSON form for logs and CLI output with `--json`. */
  toJSON(): { name: string; code: JottyErrorCode; message: string; details: Record<string, JsonValue> } {
    return { name: this.name, code: this.code, message: this.message, details: { ...this.details } };
  }
}
