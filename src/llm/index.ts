export { createChatModel } from "./create-chat-model.js";
export type { LlmConfig } from "./create-chat-model.js";
export { CircuitBreaker } from "./circuit-breaker.js";
export type { CircuitBreakerOptions } from "./circuit-breaker.js";
export { LlmUsage } from "./llm-usage.js";
export type { LlmUsageCounts } from "./llm-usage.js";
export { invokeStructured } from "./invoke-structured.js";
export type { InvokeStructuredOptions } from "./invoke-structured.js";
