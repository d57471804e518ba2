import { describe, expect, it } from "vitest";
import { JottyError } from "../../src/index.js";

describe("JottyError", () => {
  it("carries code, details and cause, and serialises to JSON", () => {
    const cause = new Error("disk full");
    const error = new JottyError({ code: "io_error", message: "Could not write.", details: { file: "a.json" }, cause });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("JottyError");
    expect(error.code).toBe("io_error");
    expect(error.cause).toBe(cause);
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      name: "JottyError",
      code: "io_error",
      message: "Could not write.",
      details: { file: "a.json" },
    });
  });

  it("is() narrows by code", () => {
    const error = new JottyError({ code: "invalid_reward", message: "bad" });
    expect(JottyError.is(error)).toBe(true);
    expect(JottyError.is(error, "invalid_reward")).toBe(true);
    expect(JottyError.is(error, "invalid_action")).toBe(false);
    expect(JottyError.is(new Error("x"))).toBe(false);
  });
});
