/** Counts of model use, for reports and cost. */
export interface LlmUsageCounts {
  /** Calls attempted. */
  calls: number;
  /** Calls that failed (error, timeout, malformed answer). */
  failures: number;
  /** Calls skipped because the circuit breaker was open. */
  skipped: number;
  inputTokens: number;
  outputTokens: number;
}

/** Accumulates {@link LlmUsageCounts}. */
export class LlmUsage {
  private counts: LlmUsageCounts = { calls: 0, failures: 0, skipped: 0, inputTokens: 0, outputTokens: 0 };

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

  skip(): void {
    this.counts.skipped += 1;
  }

  /** Adds the token counts a message reports in LangChain's `usage_metadata`. */
  addTokens(message: unknown): void {
    const usage = (message as { usage_metadata?: { input_tokens?: number; output_tokens?: number } } | null)?.usage_metadata;
    this.counts.inputTokens += usage?.input_tokens ?? 0;
    this.counts.outputTokens += usage?.output_tokens ?? 0;
  }

  /** Replaces the counts (from a snapshot). */
  set(counts: LlmUsageCounts): void {
    this.counts = { ...counts };
  }
}
