import os from "node:os";
import path from "node:path";
import fs from "fs-extra";
import { afterEach, describe, expect, it } from "vitest";
import { AppendFiles } from "../../src/persistence/append-files.js";

const folders: string[] = [];
afterEach(async () => {
  for (const folder of folders.splice(0)) await fs.remove(folder);
});

async function folder(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "jotty-append-"));
  folders.push(dir);
  return dir;
}

describe("AppendFiles", () => {
  it("appends each file's lines in order while keeping no more than its limit open", async () => {
    const dir = await folder();
    const files = new AppendFiles(2);
    const names = ["a", "b", "c"].map((name) => path.join(dir, `${name}.jsonl`));
    const expected = new Map(names.map((name) => [name, ""]));
    // An order that keeps closing files and coming back to them.
    const order = "abcaacbcbaabccabcb";
    for (let line = 0; line < order.length; line += 1) {
      const name = names["abc".indexOf(order[line] as string)] as string;
      files.append(name, `line ${line} é\n`);
      expected.set(name, `${expected.get(name)}line ${line} é\n`);
      expect(files.openCount).toBeLessThanOrEqual(2);
    }
    for (const name of names) expect(await fs.readFile(name, "utf8")).toBe(expected.get(name));
  });

  it("closes what it holds and goes on appending, not overwriting, after a close", async () => {
    const dir = await folder();
    const files = new AppendFiles();
    const name = path.join(dir, "log.jsonl");
    await fs.writeFile(name, "before\n");
    files.append(name, "one\n");
    files.closeAll();
    expect(files.openCount).toBe(0);
    files.append(name, "two\n");
    files.close(name);
    expect(files.openCount).toBe(0);
    expect(await fs.readFile(name, "utf8")).toBe("before\none\ntwo\n");
  });

  it("closes a file whose write failed, so the next line opens it again", () => {
    const files = new AppendFiles();
    // Every write to /dev/full fails with ENOSPC, as a full disk does.
    expect(() => files.append("/dev/full", "x\n")).toThrow(/ENOSPC/);
    expect(files.openCount).toBe(0);
    expect(() => files.append("/dev/full", "y\n")).toThrow(/ENOSPC/);
    expect(files.openCount).toBe(0);
  });

  it("throws when a file cannot be opened and keeps nothing open for it", async () => {
    const dir = await folder();
    const files = new AppendFiles();
    expect(() => files.append(path.join(dir, "missing", "log.jsonl"), "x\n")).toThrow(/ENOENT/);
    expect(files.openCount).toBe(0);
  });
});
