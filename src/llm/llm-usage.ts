/** Counts of model use, for reports and cost. */
export interface LlmUsageCounts {
  /** Calls attempted. */
  calls: number;
  /** Calls that failed (error, timeout, malformed answer, answer rejected by its check). */
  failures: number;
  /** Of the failures: answers that matched their schema but failed their content check. */
  rejected: number;
  /** Calls skipped because the circuit breaker was open. */
  skipped: number;
  inputTokens: number;
  outputTokens: number;
}

/** Accumulates {@link LlmUsageCounts}. */
export class LlmUsage {
  private counts: LlmUsageCounts = { calls: 0, failures: 0, rejected: 0, skipped: 0, inputTokens: 0, outputTokens: 0 };

  /** A copy of the counts. */
  get(): LlmUsageCounts {
    return { ...this.counts };
  }

  /** Total tokens in and out. */
  get tokens(): number {
    return this.counts.inputTokens + this.counts.outputTokens;
  }

  call(): void {
    this.counts.calls += 1;
  }

  failure(): void {
    this.counts.failures += 1;
  }

  /** A failure whose answer was well-formed but failed its content check. */
  reject(): void {
    this.counts.failures += 1;
    this.counts.rejected += 1;
  }

  skip(): void {
    this.counts.skipped += 1;
  }

  /** Adds the token counts a message reports in LangChain's `usage_metadata`. */
  addTokens(message: unknown): void {
    const usage = (message as { usage_metadata?: { input_tokens?: number; output_tokens?: number } } | null)?.usage_metadata;
    this.counts.inputTokens += usage?.input_tokens ?? 0;
    this.counts.outputTokens += usage?.output_tokens ?? 0;
  }

  /** Adds another counter's counts to these. */
  add(counts: LlmUsageCounts): void {
    for (const key of Object.keys(this.counts) as Array<keyof LlmUsageCounts>) this.counts[key] += counts[key];
  }

  /** Replaces the counts (from a snapshot; counts it lacks, such as `rejected` in older ones, are 0). */
  set(counts: Omit<LlmUsageCounts, "rejected"> & { rejected?: number }): void {
    this.counts = { rejected: 0, ...counts };
  }
}
