export { JottyError } from "./jotty-error.js";
export type { JottyErrorCode, JottyErrorOptions, JsonValue } from "./jotty-error.js";
export { issueList } from "./issue-list.js";
export { errorMessage } from "./error-message.js";
