import { createHash } from "node:crypto";
import { Worker } from "node:worker_threads";
import { errorMessage } from "../errors/index.js";
import { readWhole } from "./read-whole.js";

/** Files from this size on are read and hashed on a worker thread. */
export const BACKGROUND_HASH_BYTES = 8 * 1024 * 1024;

/**
 * The worker: reads the file it is given, hashes it and hands the bytes back (moved, not
 * copied). Plain CommonJS, so it runs the same from the sources and from the build.
 */
const WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const { createHash } = require("node:crypto");
const { readFileSync } = require("node:fs");
let bytes = readFileSync(workerData);
if (bytes.byteOffset !== 0 || bytes.byteLength !== bytes.buffer.byteLength) bytes = Buffer.from(bytes);
parentPort.postMessage({ sha256: createHash("sha256").update(bytes).digest("hex"), buffer: bytes.buffer }, [bytes.buffer]);
`;

export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** A file's bytes and their SHA-256, read and hashed on the calling thread. */
export async function readHashedHere(file: string): Promise<{ bytes: Buffer; sha256: string }> {
  const bytes = await readWhole(file);
  return { bytes, sha256: sha256Hex(bytes) };
}

/** A file's bytes and their SHA-256, read and hashed by a worker thread. */
function readHashedByWorker(file: string): Promise<{ bytes: Buffer; sha256: string }> {
  return new Promise((resolve, reject) => {
    // Not unref'd: the caller waits for it, so it must keep the process alive until it answers.
    const worker = new Worker(WORKER, { eval: true, workerData: file, execArgv: [] });
    worker.once("message", ({ sha256, buffer }: { sha256: string; buffer: ArrayBuffer }) => {
      resolve({ bytes: Buffer.from(buffer), sha256 });
      void worker.terminate();
    });
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(`the hashing worker stopped (exit code ${code})`)));
  });
}

/**
 * A file's bytes and their SHA-256. A large file (a memory's vectors, say) is read and hashed
 * on a worker thread, so that on a machine of two cores or more the hash of one file goes on
 * while this thread parses another: at a restart of 100k memories the vectors' 103 MB took
 * 57 ms to hash, during the memory's JSON parse. Where the worker fails (a file it cannot
 * read, a thread that will not start) the file is read here instead; a failure that reading
 * here does not share is told to `warn`, and a file that cannot be read throws as `readFile`
 * does.
 */
export async function readHashed(file: string, size: number, warn?: (warning: string) => void): Promise<{ bytes: Buffer; sha256: string }> {
  if (size < BACKGROUND_HASH_BYTES) return readHashedHere(file);
  try {
    return await readHashedByWorker(file);
  } catch (error) {
    const read = await readHashedHere(file);
    warn?.(`${file} was read and hashed on the main thread, since its worker failed: ${errorMessage(error)}`);
    return read;
  }
}
