import { promises as fsp } from "node:fs";

/**
 * A file's bytes, read in one call where the system allows. `fs.promises.readFile` reads a
 * large file half a megabyte at a time and needs the main thread between reads, so a file
 * read while the thread parses another waits for it; one read of the whole file goes on in
 * the background. At a restart of 100k memories the vectors file (103 MB) was still being
 * read 50 ms after the memory's JSON had been parsed; read at once, it is ready before.
 *
 * @throws the system's error (ENOENT and the rest), as `readFile` does.
 */
export async function readWhole(file: string): Promise<Buffer> {
  const handle = await fsp.open(file, "r");
  try {
    const { size } = await handle.stat();
    const bytes = Buffer.allocUnsafe(size);
    let at = 0;
    while (at < size) {
      const { bytesRead } = await handle.read(bytes, at, size - at, at);
      if (bytesRead === 0) break;
      at += bytesRead;
    }
    // A file cut short while it was read: only what was read, never the buffer's old bytes.
    return at === size ? bytes : bytes.subarray(0, at);
  } finally {
    await handle.close();
  }
}
