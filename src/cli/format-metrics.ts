import type { ConductorMetrics } from "../orchestration/index.js";
import { TIMED_OPERATIONS } from "../telemetry/index.js";

function bytes(value: number): string {
  const magnitude = Math.abs(value);
  if (magnitude >= 1024 * 1024) return `${(value / 1024 / 1024).toFixed(2)} MiB`;
  if (magnitude >= 1024) return `${(value / 1024).toFixed(1)} KiB`;
  return `${value} B`;
}

function milliseconds(value: number): string {
  return value >= 100 ? value.toFixed(0) : value >= 1 ? value.toFixed(2) : value.toFixed(3);
}

function share(value: number): string {
  return `${(100 * value).toFixed(1)}%`;
}

/** Right-aligned columns under a header. */
function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string[] {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)));
  const line = (cells: readonly string[]): string =>
    cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[0] as number) : cell.padStart(widths[column] as number))).join("  ");
  return [line(header), ...rows.map(line)];
}

/** The lines `jotty inspect --metrics` prints for a run's metrics. */
export function formatMetrics(metrics: ConductorMetrics): string[] {
  const lines = [
    "latency (ms, in the process that saved this run, up to the start of its save)",
    ...table(
      ["operation", "count", "p50", "p95", "p99", "max"],
      TIMED_OPERATIONS.map((operation) => {
        const latency = metrics.latency[operation];
        return [operation, String(latency.count), milliseconds(latency.p50), milliseconds(latency.p95), milliseconds(latency.p99), milliseconds(latency.max)];
      }),
    ).map((line) => `  ${line}`),
  ];
  const { embeddings, retrieval, hitRate } = metrics.cache;
  lines.push(
    `cache: ${share(hitRate)} hits overall; embeddings ${share(embeddings.hitRate)} of ${embeddings.hits + embeddings.misses} lookups (${embeddings.size} vectors held), memory searches ${share(retrieval.hitRate)} of ${retrieval.hits + retrieval.misses}`,
  );
  const levels = Object.entries(metrics.memories.byLevel)
    .map(([level, count]) => `${level} ${count}`)
    .join(", ");
  const owners = Object.entries(metrics.memories.byActor)
    .map(([owner, count]) => `${owner} ${count}`)
    .join(", ");
  lines.push(`memories: ${metrics.memories.total} (${levels}); by owner: ${owners}`);
  // Runs saved before the index counters were kept have none.
  const index = metrics.memories.index as ConductorMetrics["memories"]["index"] | undefined;
  if (index !== undefined) {
    lines.push(
      `vector index: ${index.approximate} of ${Object.keys(metrics.memories.byActor).length} memories approximate; ${index.exactScans} exact scans, ${index.exactFallbacks} exact fallbacks, ${index.rebuilds} rebuilds; ${index.searchesReused} adds linked from their store's search`,
    );
  }
  lines.push(`Q entries: ${metrics.qEntries}; lessons: ${metrics.lessons}`);
  const qIndex = metrics.qIndex as ConductorMetrics["qIndex"] | undefined;
  if (qIndex !== undefined && qIndex.kind !== "none") {
    lines.push(`Q state index: ${qIndex.kind}; ${qIndex.exactScans} exact scans, ${qIndex.exactFallbacks} exact fallbacks, ${qIndex.rebuilds} rebuilds`);
  }
  const modes = Object.entries(metrics.llm.byMode)
    .map(([mode, usage]) => `${mode} ${usage.calls} calls / ${usage.tokens} tokens / ${usage.cost.toFixed(4)} over ${usage.episodes} episodes`)
    .join("; ");
  lines.push(`LLM by mode: ${modes}`);
  lines.push(
    `LLM total: ${metrics.llm.total.calls} calls, ${metrics.llm.total.tokens} tokens, cost ${metrics.llm.total.cost.toFixed(4)} (Q-predictor ${metrics.llm.qPredictor.calls} calls)`,
    `LLM learning loops: ${metrics.llm.learning.calls} calls, ${metrics.llm.learning.failures} fell back to rules (${metrics.llm.learning.rejected} answers rejected), ${metrics.llm.learning.skipped} skipped by the circuit breaker`,
  );
  if (metrics.disk !== null) {
    const growth = metrics.disk.growthPerRun;
    lines.push(
      `disk: ${bytes(metrics.disk.bytes)} in ${metrics.disk.runs.length} runs and the audit log; growth per run ${growth === null ? "n/a (one run)" : `${growth >= 0 ? "+" : ""}${bytes(Math.round(growth))}`}`,
    );
    for (const run of metrics.disk.runs) {
      lines.push(`  ${run.run}  ${bytes(run.bytes).padStart(11)}  ${run.growth === null ? "" : `${run.growth >= 0 ? "+" : ""}${bytes(run.growth)}`}`);
    }
  }
  return lines;
}
