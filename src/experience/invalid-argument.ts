import { JottyError } from "../errors/index.js";

/** The error the learning loops throw for an argument they cannot use: code `invalid_argument`. */
export function invalidArgument(message: string): JottyError {
  return new JottyError({ code: "invalid_argument", message });
}
