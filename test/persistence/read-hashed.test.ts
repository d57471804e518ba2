import { createHash } from "node:crypto";
import { promises as fsp } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { BACKGROUND_HASH_BYTES, readHashed } from "../../src/persistence/read-hashed.js";
import { readWhole } from "../../src/persistence/read-whole.js";

let dir: string;

beforeEach(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), "jotty-read-hashed-"));
});

afterEach(async () => {
  vi.doUnmock("node:worker_threads");
  vi.resetModules();
  await fsp.rm(dir, { recursive: true, force: true });
});

/** A file of `size` bytes that differ from place to place. */
async function fileOf(size: number): Promise<{ file: string; bytes: Buffer }> {
  const bytes = Buffer.alloc(size);
  for (let at = 0; at < size; at += 4) bytes.writeUInt32LE((at * 2654435761) >>> 0, at);
  const file = path.join(dir, `f${size}.bin`);
  await fsp.writeFile(file, bytes);
  return { file, bytes };
}

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

describe("readHashed", () => {
  it("reads a large file and its checksum on a worker, a small one here, both as they are on disk", async () => {
    for (const size of [1000, BACKGROUND_HASH_BYTES + 4096]) {
      const { file, bytes } = await fileOf(size);
      const warnings: string[] = [];
      const read = await readHashed(file, size, (warning) => warnings.push(warning));
      expect(read.bytes.equals(bytes)).toBe(true);
      expect(read.sha256).toBe(sha256(bytes));
      expect(warnings).toEqual([]);
    }
    expect((await readWhole((await fileOf(12)).file)).length).toBe(12);
  });

  it("reads here, and says so, when the worker cannot start", async () => {
    vi.resetModules();
    vi.doMock("node:worker_threads", () => ({
      Worker: class {
        constructor() {
          throw new Error("no threads here");
        }
      },
    }));
    const { readHashed: readHashedWithoutThreads } = await import("../../src/persistence/read-hashed.js");
    const { file, bytes } = await fileOf(BACKGROUND_HASH_BYTES);
    const warnings: string[] = [];
    const read = await readHashedWithoutThreads(file, BACKGROUND_HASH_BYTES, (warning) => warnings.push(warning));
    expect(read.sha256).toBe(sha256(bytes));
    expect(warnings).toEqual([expect.stringMatching(/read and hashed on the main thread, since its worker failed: no threads here/)]);
    // A small file never asks for a worker.
    const small = await fileOf(100);
    expect((await readHashedWithoutThreads(small.file, 100, (warning) => warnings.push(warning))).bytes.equals(small.bytes)).toBe(true);
    expect(warnings).toHaveLength(1);
  });

  it("throws for a missing file, large or small", async () => {
    for (const size of [10, BACKGROUND_HASH_BYTES]) {
      await expect(readHashed(path.join(dir, "missing.bin"), size)).rejects.toMatchObject({ code: "ENOENT" });
    }
  });
});
