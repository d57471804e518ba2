import path from "node:path";
import fs from "fs-extra";

/** Prints rows as a right-aligned table under a header, as the benchmarks report them. */
export function printTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>): void {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)));
  const line = (cells: readonly string[]): string => cells.map((cell, column) => cell.padStart(widths[column] as number)).join("  ");
  process.stdout.write(`\n${line(header)}\n${rows.map(line).join("\n")}\n`);
}

/**
 * Writes a benchmark's result as `<outDir>/<name>.json`, with the machine it ran on, and says
 * where. Returns the file's path.
 */
export async function writeResult(
  outDir: string,
  name: string,
  result: { description: string; settings: Record<string, unknown>; durationMs: number; [key: string]: unknown },
): Promise<string> {
  await fs.ensureDir(outDir);
  const file = path.join(outDir, `${name}.json`);
  await fs.writeJson(
    file,
    { benchmark: name, ...result, environment: { node: process.version, platform: process.platform, arch: process.arch } },
    { spaces: 2 },
  );
  process.stdout.write(`\nwrote ${file}\n`);
  return file;
}
