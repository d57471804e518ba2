import type { Migration } from "../persistence/index.js";
import { EXPERIENCE_SNAPSHOT_VERSION } from "./schemas.js";

type Stored = Readonly<Record<string, unknown>>;

/** Version 2 → 3: a completed trajectory keeps the times of its steps; the steps themselves are in its trace. */
function stepsIntoTraces(snapshot: Stored): Record<string, unknown> {
  const { trajectories } = snapshot;
  if (!Array.isArray(trajectories)) return { ...snapshot };
  return {
    ...snapshot,
    trajectories: trajectories.map((trajectory: unknown) => {
      const stored = trajectory as Stored | null;
      if (stored === null || typeof stored !== "object" || stored.traceHash === undefined || !Array.isArray(stored.steps)) return trajectory;
      const { steps, ...rest } = stored;
      return { ...rest, stepTimes: (steps as Array<{ at?: unknown }>).map((step) => step?.at) };
    }),
  };
}

/**
 * The pure steps from each older Experience snapshot version to the next, oldest first; a
 * change of format adds one, bumps `EXPERIENCE_SNAPSHOT_VERSION` and keeps a fixture of the
 * old version under test/fixtures/experience.
 */
export const EXPERIENCE_MIGRATIONS: readonly Migration[] = [
  // Version 2 stores playbooks as histories of changes; PlaybookStore.load reads the lists of
  // whole versions version 1 wrote, so nothing else changes.
  { from: 1, migrate: (snapshot) => ({ ...snapshot }) },
  { from: 2, migrate: stepsIntoTraces },
];

/**
 * An Experience snapshot of an older version brought to the one this Jotty writes, by the
 * {@link EXPERIENCE_MIGRATIONS} in turn; never changes its input. Anything else (the current
 * version, a newer one, no snapshot at all) is returned as it is, for the schema to judge.
 */
export function migrateExperienceSnapshot(snapshot: unknown): unknown {
  if (snapshot === null || typeof snapshot !== "object" || Array.isArray(snapshot)) return snapshot;
  const found = (snapshot as Stored).schemaVersion;
  if (typeof found !== "number" || !Number.isInteger(found) || found < 1 || found >= EXPERIENCE_SNAPSHOT_VERSION) return snapshot;
  let current = snapshot as Stored;
  for (let version = found; version < EXPERIENCE_SNAPSHOT_VERSION; version += 1) {
    const step = EXPERIENCE_MIGRATIONS.find((migration) => migration.from === version);
    if (step === undefined) return current;
    current = { ...step.migrate(current), schemaVersion: version + 1 };
  }
  return current;
}
