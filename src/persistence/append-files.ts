import { closeSync, openSync, writeSync } from "node:fs";

/**
 * Files written a line at a time, each kept open between lines (at most `limit` at once; the
 * least recently written is closed first). A line is written synchronously: it is a few
 * kilobytes, and opening, writing and closing the file through the thread pool cost a round
 * trip each, three times what the write itself does, while the caller waits for the line.
 * Once `append` returns, the line is in the kernel's hands, where the process ending cannot
 * lose it.
 */
export class AppendFiles {
  /** Open descriptors by file, the most recently written last. */
  private readonly descriptors = new Map<string, number>();

  constructor(private readonly limit = 64) {}

  /** Appends `text` to `file` (created when missing). A failed write closes the file; the next opens it again. */
  append(file: string, text: string): void {
    const fd = this.descriptorOf(file);
    const bytes = Buffer.from(text, "utf8");
    try {
      for (let written = 0; written < bytes.length; ) written += writeSync(fd, bytes, written, bytes.length - written);
    } catch (error) {
      this.close(file);
      throw error;
    }
  }

  /** Closes `file` if it is open. */
  close(file: string): void {
    const fd = this.descriptors.get(file);
    if (fd === undefined) return;
    this.descriptors.delete(file);
    closeSync(fd);
  }

  /** Closes every open file. */
  closeAll(): void {
    for (const file of [...this.descriptors.keys()]) this.close(file);
  }

  /** How many files are open. */
  get openCount(): number {
    return this.descriptors.size;
  }

  private descriptorOf(file: string): number {
    const open = this.descriptors.get(file);
    if (open !== undefined) {
      // Written again: the most recent now.
      this.descriptors.delete(file);
      this.descriptors.set(file, open);
      return open;
    }
    const oldest = this.descriptors.keys().next();
    if (this.descriptors.size >= this.limit && oldest.done !== true) this.close(oldest.value);
    const fd = openSync(file, "a");
    this.descriptors.set(file, fd);
    return fd;
  }
}
