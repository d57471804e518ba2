import { JottyError } from "../errors/index.js";

/** A JottyError `invalid_argument`, the error every memory operation throws for bad input. */
export function invalidArgument(message: string, details: Record<string, string | number> = {}): JottyError {
  return new JottyError({ code: "invalid_argument", message, details });
}
