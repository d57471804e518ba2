export { JottyError } from "./jotty-error.js";
export type { JottyErrorCode, JottyErrorOptions, JsonValue } from "./jotty-error.js";
export { issueList } from "./issue-list.js";
