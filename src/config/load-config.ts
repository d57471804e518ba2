import path from "node:path";
import fs from "fs-extra";
import { parse as parseYaml, YAMLParseError } from "yaml";
import type { z } from "zod";
import { JottyError } from "../errors/index.js";
import { JottyConfigSchema, type JottyConfig, type JottyConfigInput } from "./schema.js";

/** One invalid field of a config. */
export interface ConfigIssue {
  /** Where, as `learning.alpha` or `actors[1].name`; `(root)` for the top level. */
  path: string;
  /** What was expected. */
  message: string;
}

/** Renders a zod path as `learning.epsilon.start` or `actors[0].name`. */
function formatPath(segments: readonly PropertyKey[]): string {
  if (segments.length === 0) return "(root)";
  return segments
    .map((segment, index) => {
      if (typeof segment === "number") return `[${segment}]`;
      const name = String(segment);
      return index === 0 ? name : `.${name}`;
    })
    .join("");
}

function describeInput(input: unknown): string {
  if (input === undefined || (typeof input === "object" && input !== null)) return "";
  // JSON would show Infinity and NaN (which YAML can write) as null.
  return ` (got ${typeof input === "number" && !Number.isFinite(input) ? String(input) : JSON.stringify(input)})`;
}

function toIssues(error: z.ZodError): ConfigIssue[] {
  return error.issues.map((issue) => ({
    path: formatPath(issue.path),
    message: `${issue.message}${describeInput(issue.input)}`,
  }));
}

/**
 * Validates a config object and fills in every default.
 *
 * @param input - a config as written by a user (any shape).
 * @param source - where it came from, for messages. @default "config"
 * @throws JottyError `config_invalid` listing every bad field by its path.
 *
 * @example
 * ```ts
 * const config = parseConfig({ learningMode: "contextual", seed: 7 });
 * ```
 */
export function parseConfig(input: unknown, source = "config"): JottyConfig {
  const result = JottyConfigSchema.safeParse(input, { reportInput: true });
  if (result.success) return result.data;
  const issues = toIssues(result.error);
  const lines = issues.map((issue) => `  - ${issue.path}: ${issue.message}`);
  throw new JottyError({
    code: "config_invalid",
    message: [
      `${source} is not a valid Jotty config (${issues.length} problem${issues.length === 1 ? "" : "s"}):`,
      ...lines,
      "Fix these fields; `jotty config schema` prints every field with its type and default.",
    ].join("\n"),
    details: { source, issues: issues.map((issue) => ({ path: issue.path, message: issue.message })) },
    cause: result.error,
  });
}

/**
 * Typed identity for configs written in TypeScript: autocompletes fields and checks types.
 *
 * @example
 * ```ts
 * export default defineConfig({ learningMode: "persistent", environment: { name: "cliff-walking" } });
 * ```
 */
export function defineConfig(config: JottyConfigInput): JottyConfigInput {
  return config;
}

/**
 * Reads a config file (`.json`, `.yaml` or `.yml`), validates it and fills in defaults.
 *
 * @param file - path to the config file.
 * @throws JottyError `config_not_found` when the file cannot be read,
 *   `config_parse_error` when it is not valid JSON or YAML,
 *   `config_invalid` when a field is wrong (every bad field listed).
 */
export async function loadConfig(file: string): Promise<JottyConfig> {
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a folder" : code === "EACCES" ? "permission denied" : String(code);
    throw new JottyError({
      code: "config_not_found",
      message: `Cannot read config file ${file} (${reason}). Check the path, or start from configs/default.json.`,
      details: { file },
      cause: error,
    });
  }
  const extension = path.extname(file).toLowerCase();
  let data: unknown;
  try {
    data = extension === ".yaml" || extension === ".yml" ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    const reason =
      error instanceof YAMLParseError || error instanceof SyntaxError ? error.message : String(error);
    throw new JottyError({
      code: "config_parse_error",
      message: `Config file ${file} is not valid ${extension === ".json" || extension === "" ? "JSON" : "YAML"}: ${reason}`,
      details: { file },
      cause: error,
    });
  }
  return parseConfig(data, file);
}
