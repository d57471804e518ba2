export { LatencyHistogram, type LatencySummary } from "./latency-histogram.js";
export { Telemetry, TIMED_OPERATIONS, timed, type TimedOperation } from "./telemetry.js";
