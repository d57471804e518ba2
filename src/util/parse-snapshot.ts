import type { z } from "zod";
import { issueList, JottyError } from "../errors/index.js";
import { schemaCheck } from "./schema-check.js";

/**
 * Validates a versioned snapshot: one from a newer schema version is refused as such, one that
 * does not match the schema is refused with its first problems.
 *
 * @param what - the component, for messages (`memory`, `Q-predictor`, …).
 * @param inPlace - the snapshot is checked where it is and returned as it is when it matches
 *   (see {@link schemaCheck}): no copy is made, so the caller must own it (freshly parsed
 *   JSON, say). Otherwise zod returns a copy.
 * @throws JottyError `snapshot_version_unsupported` or `snapshot_invalid`; nothing is changed.
 */
export function parseSnapshot<Schema extends z.ZodType>({
  schema,
  snapshot,
  version,
  what,
  inPlace = false,
}: {
  schema: Schema;
  snapshot: unknown;
  version: number;
  what: string;
  inPlace?: boolean;
}): z.output<Schema> {
  if (inPlace && schemaCheck(schema)(snapshot)) return snapshot;
  const found = (snapshot as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (typeof found === "number" && Number.isInteger(found) && found > version) {
    throw new JottyError({
      code: "snapshot_version_unsupported",
      message: `This ${what} snapshot has schema version ${found}, newer than this Jotty reads (${version}). Upgrade Jotty to load it; nothing was changed.`,
      details: { version: found, supported: version },
    });
  }
  const parsed = schema.safeParse(snapshot);
  if (!parsed.success) {
    const problems = issueList(parsed.error, { root: "(root)", limit: 5 });
    throw new JottyError({
      code: "snapshot_invalid",
      message: `Not a ${what} snapshot of schema version ${version}: ${problems.join("; ")}. Pass what snapshot() returned.`,
      details: { problems },
    });
  }
  return parsed.data;
}
