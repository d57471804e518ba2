import { JottyError } from "../../errors/index.js";
import { STATE_SCHEMA_VERSION } from "../jotty-state.js";

/** A pure step from one state schema version to the next. */
export interface Migration {
  /** The version it reads. */
  from: number;
  /** Returns the state in version `from + 1`; never mutates its input. */
  migrate: (state: Readonly<Record<string, unknown>>) => Record<string, unknown>;
}

/**
 * Every migration, oldest first. Version 1 is the first format, so the list is empty; a change
 * of format adds `{ from: N, migrate }`, bumps STATE_SCHEMA_VERSION and keeps a fixture of
 * version N under test/fixtures/vault.
 */
export const MIGRATIONS: readonly Migration[] = [];

/**
 * Brings a stored state to `target` by applying migrations in turn.
 *
 * @throws JottyError `snapshot_version_unsupported` for a state newer than `target`,
 *   `snapshot_invalid` when its version is missing or no migration leads on from it.
 */
export function migrateState(
  state: Readonly<Record<string, unknown>>,
  { migrations = MIGRATIONS, target = STATE_SCHEMA_VERSION }: { migrations?: readonly Migration[]; target?: number } = {},
): Record<string, unknown> {
  let version = state.schemaVersion;
  if (typeof version !== "number" || !Number.isInteger(version) || version < 1) {
    throw new JottyError({ code: "snapshot_invalid", message: `The stored state has no valid schemaVersion (got ${JSON.stringify(version)}).` });
  }
  if (version > target) {
    throw new JottyError({
      code: "snapshot_version_unsupported",
      message: `The stored state has schema version ${version}, newer than this Jotty reads (${target}). Upgrade Jotty to load it.`,
      details: { version, supported: target },
    });
  }
  let current: Record<string, unknown> = { ...state };
  while (version < target) {
    const step = migrations.find((migration) => migration.from === version);
    if (step === undefined) {
      throw new JottyError({ code: "snapshot_invalid", message: `No migration leads from state schema version ${version} to ${target}.` });
    }
    current = step.migrate(current);
    version += 1;
    current.schemaVersion = version;
  }
  return current;
}
