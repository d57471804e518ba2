/** A stored channel value: its serializer's type and bytes. */
export type StoredBlob = [string, Uint8Array];

/** What the type of a blob holding only the items appended to an earlier version of its list starts with. */
const APPENDED = "jotty-appended";
const SEPARATOR = "\u0001";

/** The type of a blob of items (serialized as `type`) appended to the list stored under the blob key `base`. */
export function appendedType(type: string, base: string): string {
  return [APPENDED, type, base].join(SEPARATOR);
}

/** The serializer's type and the base blob of an appended blob's type; undefined for a whole value. */
function appendedOf(type: string): { type: string; base: string } | undefined {
  if (!type.startsWith(`${APPENDED}${SEPARATOR}`)) return undefined;
  const [, inner, base] = type.split(SEPARATOR);
  return inner === undefined || base === undefined ? undefined : { type: inner, base };
}

/**
 * The last list written of each append-only channel of each thread, to tell what a new
 * version of the list adds to it. A list counts as extended only when every item it held is
 * still there, the same object in the same place: any other change is stored whole.
 */
export class AppendedLists {
  private readonly channels: ReadonlySet<string>;
  /** thread → `namespace\0channel` → the blob key and the list. */
  private readonly last = new Map<string, Map<string, { key: string; list: readonly unknown[] }>>();

  constructor(channels: Iterable<string>) {
    this.channels = new Set(channels);
  }

  /**
   * The blob a new value of `channel` extends, and how many of its items that blob holds;
   * undefined when the channel is not append-only, the value is not a list, or it does not
   * extend the last list written (or that list's blob is no longer held).
   */
  baseOf(thread: string, namespace: string, channel: string, value: unknown, held: (key: string) => boolean): { key: string; length: number } | undefined {
    if (!this.channels.has(channel) || !Array.isArray(value)) return undefined;
    const last = this.last.get(thread)?.get(`${namespace}\u0000${channel}`);
    if (last === undefined || value.length < last.list.length || !held(last.key)) return undefined;
    for (let index = 0; index < last.list.length; index += 1) if (value[index] !== last.list[index]) return undefined;
    return { key: last.key, length: last.list.length };
  }

  /** Notes the list just written under `key`. */
  remember(thread: string, namespace: string, channel: string, key: string, value: unknown): void {
    if (!this.channels.has(channel) || !Array.isArray(value)) return;
    let byThread = this.last.get(thread);
    if (byThread === undefined) {
      byThread = new Map();
      this.last.set(thread, byThread);
    }
    // A copy of the list itself (not of its items), so a list changed in place is still compared with what was written.
    byThread.set(`${namespace}\u0000${channel}`, { key, list: value.slice() });
  }

  /** Forgets a thread's lists. */
  forget(thread: string): void {
    this.last.delete(thread);
  }
}

/**
 * The value stored under `key` (`{ value }`): a whole value, or a list rebuilt from the blobs
 * of appended items back to a whole one. Undefined when a blob of the chain is missing (a line
 * lost to a crash), as for a channel whose own blob is missing.
 */
export async function storedValue(
  stored: Readonly<Record<string, StoredBlob>>,
  key: string,
  load: (type: string, bytes: Uint8Array) => Promise<unknown>,
): Promise<{ value: unknown } | undefined> {
  const appended: StoredBlob[] = [];
  // A chain longer than the blobs held loops: no list can be rebuilt from it (counted only once a chain is met).
  let most: number | undefined;
  let blob = stored[key];
  for (;;) {
    if (blob === undefined) return undefined;
    const part = appendedOf(blob[0]);
    if (part === undefined) break;
    most ??= Object.keys(stored).length;
    if (appended.length >= most) return undefined;
    appended.push([part.type, blob[1]]);
    blob = stored[part.base];
  }
  const [type, bytes] = blob;
  let value = await load(type, bytes);
  for (let index = appended.length - 1; index >= 0; index -= 1) {
    const [itemsType, itemsBytes] = appended[index] as StoredBlob;
    value = (value as unknown[]).concat((await load(itemsType, itemsBytes)) as unknown[]);
  }
  return { value };
}
