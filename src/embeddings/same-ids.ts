/**
 * Whether an index holds exactly the ids `wanted` (unique, as a memory's are), given its ids
 * by slot (`held`, the first `used` of them, `undefined` or `removed` where a slot is empty)
 * and its own lookup. Where the two lists are in the same order, as they are for a memory
 * saved with its index (both in the order memories were added), they are compared in order,
 * a few times faster than looking every id up; else every id is looked up.
 */
export function sameIds(
  held: ReadonlyArray<string | undefined>,
  { used, live, removed, has }: { used: number; live: number; removed?: Uint8Array | undefined; has: (id: string) => boolean },
  wanted: readonly string[],
): boolean {
  if (wanted.length !== live) return false;
  let at = 0;
  for (let slot = 0; slot < used; slot += 1) {
    const id = held[slot];
    if (id === undefined || removed?.[slot] === 1) continue;
    if (id !== wanted[at]) return wanted.every(has);
    at += 1;
  }
  return at === wanted.length || wanted.every(has);
}
