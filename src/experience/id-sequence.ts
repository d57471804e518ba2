/**
 * The ids of the learning loops: one counter shared by every kind of record, so `t-000001`,
 * `r-000002`, `m-000003`, … never repeat whatever their prefix.
 */
export class IdSequence {
  private counter = 0;

  /** Ids handed out so far (what a snapshot stores to continue the sequence). */
  get count(): number {
    return this.counter;
  }

  /** The next id: the prefix and the counter padded to six digits. */
  next(prefix: string): string {
    this.counter += 1;
    return `${prefix}-${String(this.counter).padStart(6, "0")}`;
  }

  /** Continues from a stored count. */
  resume(count: number): void {
    this.counter = count;
  }
}
