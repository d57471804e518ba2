import { describe, expect, it } from "vitest";
import { ManualClock, systemClock } from "../../src/index.js";

describe("clocks", () => {
  it("a manual clock moves only when advanced", () => {
    const clock = new ManualClock(1000);
    expect(clock.now()).toBe(1000);
    clock.advance(250);
    expect(clock.now()).toBe(1250);
  });

  it("the system clock reads the wall time", () => {
    const before = Date.now();
    const reading = systemClock.now();
    expect(reading).toBeGreaterThanOrEqual(before);
    expect(reading).toBeLessThanOrEqual(Date.now());
  });
});
