import { JottyConfigSchema, type JottyConfig } from "./schema.js";

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object") {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/**
 * The config `{}` parses to: every setting's default, read from the schema. Classes used on
 * their own (a Vault, a CircuitBreaker, a PolicyActor…) fall back to these, so a default is
 * written once, in the schema. Frozen.
 */
export const CONFIG_DEFAULTS: JottyConfig = deepFreeze(JottyConfigSchema.parse({}));
