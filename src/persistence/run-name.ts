const PATTERN = /^run_(\d{8})_(\d{6})(?:_(\d+))?$/;

/** `run_YYYYMMDD_HHMMSS` (UTC) for a time, with `_n` for the n-th run in the same second. */
export function runName(time: number, attempt: number): string {
  const date = new Date(time);
  const pad = (value: number, width = 2): string => String(value).padStart(width, "0");
  const stamp = `${date.getUTCFullYear()}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}_${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}`;
  return attempt <= 1 ? `run_${stamp}` : `run_${stamp}_${attempt}`;
}

/** Whether a folder name is a run. */
export function isRunName(name: string): boolean {
  return PATTERN.test(name);
}

/** Orders run names newest first (by time, then by `_n`). */
export function newestFirst(a: string, b: string): number {
  const [, dateA = "", timeA = "", nA = "1"] = PATTERN.exec(a) ?? [];
  const [, dateB = "", timeB = "", nB = "1"] = PATTERN.exec(b) ?? [];
  return `${dateB}${timeB}`.localeCompare(`${dateA}${timeA}`) || Number(nB) - Number(nA);
}
