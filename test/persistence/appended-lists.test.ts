import { describe, expect, it } from "vitest";
import { AppendedLists, appendedType, storedValue, type StoredBlob } from "../../src/persistence/appended-lists.js";

const json = (value: unknown): StoredBlob => ["json", new TextEncoder().encode(JSON.stringify(value))];
const load = async (type: string, bytes: Uint8Array): Promise<unknown> => {
  expect(type).toBe("json");
  return JSON.parse(new TextDecoder().decode(bytes)) as unknown;
};

describe("appended lists", () => {
  it("rebuild a list from its appended items back to the whole one", async () => {
    const stored: Record<string, StoredBlob> = {
      v1: json([1, 2]),
      v2: [appendedType("json", "v1"), json([3])[1]],
      v3: [appendedType("json", "v2"), json([4, 5])[1]],
    };
    expect(await storedValue(stored, "v3", load)).toEqual({ value: [1, 2, 3, 4, 5] });
    expect(await storedValue(stored, "v1", load)).toEqual({ value: [1, 2] });
    // A stored undefined is a value, not a missing blob.
    expect(await storedValue({ u: ["undefined", new Uint8Array()] }, "u", async () => undefined)).toEqual({ value: undefined });
  });

  it("give nothing when a blob of the chain is missing or the chain loops", async () => {
    expect(await storedValue({ v2: [appendedType("json", "v1"), json([3])[1]] }, "v2", load)).toBeUndefined();
    const looping: Record<string, StoredBlob> = { a: [appendedType("json", "b"), json([1])[1]], b: [appendedType("json", "a"), json([2])[1]] };
    expect(await storedValue(looping, "a", load)).toBeUndefined();
  });

  it("count a list as extended only when it still holds every item of the last one, in place", () => {
    const lists = new AppendedLists(["log"]);
    const first = [{ n: 1 }, { n: 2 }];
    const held = () => true;
    lists.remember("t", "", "log", "v1", first);
    expect(lists.baseOf("t", "", "log", [...first, { n: 3 }], held)).toEqual({ key: "v1", length: 2 });
    // An equal item that is another object, a shorter list, another channel, a blob no longer held: stored whole.
    expect(lists.baseOf("t", "", "log", [{ n: 1 }, first[1], { n: 3 }], held)).toBeUndefined();
    expect(lists.baseOf("t", "", "log", [first[0]], held)).toBeUndefined();
    expect(lists.baseOf("t", "", "other", [...first, { n: 3 }], held)).toBeUndefined();
    expect(lists.baseOf("t", "", "log", [...first, { n: 3 }], () => false)).toBeUndefined();
    // A list grown or changed in place is compared with what was written, not with itself.
    lists.remember("t", "", "log", "v2", first);
    first.push({ n: 3 });
    expect(lists.baseOf("t", "", "log", first, held)).toEqual({ key: "v2", length: 2 });
    first[0] = { n: 0 };
    expect(lists.baseOf("t", "", "log", first, held)).toBeUndefined();
    lists.forget("t");
    expect(lists.baseOf("t", "", "log", [...first, { n: 3 }], held)).toBeUndefined();
  });
});
