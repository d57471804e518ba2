import { promises as fsp } from "node:fs";
import fs from "fs-extra";
import { LearningModeSchema, loadConfig, parseConfig, type JottyConfig } from "../config/index.js";
import { parseTasksJsonl, SqlAnalyst } from "../environments/index.js";
import { JottyError } from "../errors/index.js";

/** The learning modes, in the order commands list them. */
export const MODES = LearningModeSchema.options;

/**
 * A commander parser for a numeric flag: a whole number when `integer`, at least `min`
 * (above it when `above`), at most `max`; anything else is a clear `invalid_argument`.
 */
export function numberFlag(flag: string, { integer = false, min, above = false, max }: { integer?: boolean; min: number; above?: boolean; max?: number }): (value: string) => number {
  const kind = integer ? "whole number" : "number";
  const wanted =
    max !== undefined ? `a ${kind} from ${min} to ${max}` : above || min === 1 ? `a positive ${kind}` : min === 0 ? `a non-negative ${kind}` : `a ${kind} of at least ${min}`;
  return (value) => {
    const number = Number(value);
    const ok = value.trim() !== "" && Number.isFinite(number) && (!integer || Number.isInteger(number)) && (above ? number > min : number >= min) && (max === undefined || number <= max);
    if (!ok) throw new JottyError({ code: "invalid_argument", message: `${flag} takes ${wanted}, got "${value}".` });
    return number;
  };
}

export function positiveInteger(flag: string): (value: string) => number {
  return numberFlag(flag, { integer: true, min: 1 });
}

export function percent(value: number): string {
  return `${Math.round(value * 100)}%`;
}

/** The mean of each value and the `window - 1` before it. */
export function rolling(values: readonly number[], window: number): number[] {
  return values.map((_, index) => {
    const slice = values.slice(Math.max(0, index - window + 1), index + 1);
    return slice.reduce((total, value) => total + value, 0) / slice.length;
  });
}

export function memoriesLine(memories: Record<string, number>): string {
  return Object.entries(memories)
    .map(([level, count]) => `${level} ${count}`)
    .join(", ");
}

/**
 * Refuses an output path that exists and is not a folder, before anything is trained.
 *
 * @throws JottyError `invalid_argument` naming the flag.
 */
export async function assertFolderPath(dir: string, flag: string): Promise<void> {
  const stat = await fsp.stat(dir).catch(() => undefined);
  if (stat !== undefined && !stat.isDirectory()) {
    throw new JottyError({ code: "invalid_argument", message: `${flag} names ${dir}, which is a file; name a folder (it is created when missing).` });
  }
}

/** The config of a command: the file (default configs/default.json), with the command's overrides. */
export async function configFor(options: { config?: string; mode?: string; output?: string; seed?: number; tasks?: string; episodes?: number }): Promise<JottyConfig> {
  const base = await loadConfig(options.config ?? "configs/default.json");
  if (options.mode !== undefined && !MODES.includes(options.mode as (typeof MODES)[number])) {
    throw new JottyError({ code: "invalid_argument", message: `--mode is one of ${MODES.join(", ")}, not "${options.mode}".` });
  }
  if (options.output !== undefined) await assertFolderPath(options.output, "--output");
  let environmentOptions = base.environment.options;
  if (options.tasks !== undefined) {
    const text = await fs.readFile(options.tasks, "utf8").catch((error: NodeJS.ErrnoException) => {
      throw new JottyError({ code: "invalid_argument", message: `Cannot read the tasks file ${options.tasks} (${error.code ?? "unreadable"}).` });
    });
    environmentOptions = { ...environmentOptions, tasks: parseTasksJsonl(text, options.tasks) };
    if (base.environment.name === "sql-analyst") await new SqlAnalyst(environmentOptions).checkTasks();
  }
  const config = parseConfig({
    ...base,
    ...(options.mode === undefined ? {} : { learningMode: options.mode }),
    ...(options.output === undefined ? {} : { outputDir: options.output }),
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    environment: { ...base.environment, options: environmentOptions },
    ...(options.episodes === undefined ? {} : { training: { ...base.training, episodes: options.episodes } }),
  });
  await assertFolderPath(config.outputDir, "outputDir");
  return config;
}
