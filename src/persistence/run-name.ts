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

/**
 * The name of the next run: the time's own name when it sorts after every name issued so far,
 * else the newest name's successor (`_n + 1`). Names therefore only ever increase, whatever
 * retention deleted and however the clock moves, so the newest save always has the newest name.
 */
export function nextRunName(now: number, issued: Iterable<string>): string {
  let newest: string | undefined;
  for (const name of issued) if (isRunName(name) && (newest === undefined || newestFirst(name, newest) < 0)) newest = name;
  const candidate = runName(now, 1);
  if (newest === undefined || newestFirst(candidate, newest) < 0) return candidate;
  const [, date = "", time = "", n = "1"] = PATTERN.exec(newest) ?? [];
  return `run_${date}_${time}_${Number(n) + 1}`;
}
