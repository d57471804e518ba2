import { randomBytes } from "node:crypto";
import { promises as fsp } from "node:fs";
import path from "node:path";

/** Flushes a folder's entry table, so a rename inside it survives a power cut. */
export async function fsyncFolder(folder: string): Promise<void> {
  const handle = await fsp.open(folder, "r");
  try {
    await handle.sync();
  } catch (error) {
    // Some file systems refuse fsync on folders; the rename is still atomic there.
    if ((error as NodeJS.ErrnoException).code !== "EINVAL" && (error as NodeJS.ErrnoException).code !== "EISDIR") throw error;
  } finally {
    await handle.close();
  }
}

/**
 * Writes a file so that readers see either the old content or the new, never a part: the data
 * goes to a temporary file in the same folder, is flushed to disk, renamed over the target,
 * and the folder is flushed.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const folder = path.dirname(file);
  await fsp.mkdir(folder, { recursive: true });
  const temporary = path.join(folder, `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  const handle = await fsp.open(temporary, "w");
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fsp.rename(temporary, file);
  } catch (error) {
    await fsp.rm(temporary, { force: true });
    throw error;
  }
  await fsyncFolder(folder);
}
