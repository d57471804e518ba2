import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/index.js";

/** Paths of the nested sections (plain objects) of a parsed config. */
function sections(value: unknown, path: string[] = []): string[][] {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return [];
  return Object.entries(value).flatMap(([key, inner]) =>
    inner !== null && typeof inner === "object" && !Array.isArray(inner) ? [[...path, key], ...sections(inner, [...path, key])] : [],
  );
}

function nest(path: string[], leaf: unknown): Record<string, unknown> {
  return path.reduceRight<unknown>((inner, key) => ({ [key]: inner }), leaf) as Record<string, unknown>;
}

describe("config defaults", () => {
  const whole = parseConfig({});
  const paths = sections(whole).filter((path) => {
    // Sections whose fields all have defaults: `{}` is a valid way to write them.
    try {
      parseConfig(nest(path, {}));
      return true;
    } catch {
      return false;
    }
  });

  it("has sections to check", () => {
    expect(paths.map((path) => path.join("."))).toEqual(expect.arrayContaining(["conductor.recall", "conductor.executionModes", "memory.capacities", "qPredictor.tiers", "persistence.lock"]));
  });

  it("gives a section left out the same values as the section written as {}: each default is written once", () => {
    for (const path of paths) expect(parseConfig(nest(path, {})), path.join(".")).toEqual(whole);
  });
});
