/** The problems of a failed zod parse, one `path: message` each, for error messages. */
export function issueList(
  error: { issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }> },
  {
    /** Names the input itself when an issue has no path, e.g. "(root)". */
    root = "",
    /** At most this many. */
    limit = Infinity,
  }: { root?: string; limit?: number } = {},
): string[] {
  return error.issues.slice(0, limit).map((issue) => `${issue.path.map(String).join(".") || root}: ${issue.message}`);
}
