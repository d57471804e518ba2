import { z } from "zod";
import { JottyConfigSchema } from "./schema.js";

/**
 * The JSON Schema (draft 2020-12) of a Jotty config file, as a user writes it:
 * fields with defaults are optional. Point a config's `$schema` at it for autocompletion.
 */
export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(JottyConfigSchema, { io: "input", unrepresentable: "any" });
  return { title: "Jotty config", ...schema };
}
