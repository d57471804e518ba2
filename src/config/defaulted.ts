import type { z } from "zod";

/**
 * The schema, defaulting to what its own fields default to: each default is written once,
 * on its field, and the JSON Schema still shows the whole default.
 *
 * @param input - what the default is parsed from, for schemas with a field that has no default.
 */
export function defaulted<Schema extends z.ZodType<object>>(schema: Schema, input: object = {}) {
  return schema.default(schema.parse(input) as z.util.NoUndefined<z.output<Schema>>);
}
