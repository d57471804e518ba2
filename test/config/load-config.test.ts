import os from "node:os";
import path from "node:path";
import fs from "fs-extra";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  configJsonSchema,
  JottyConfigSchema,
  JottyError,
  LearningMode,
  loadConfig,
  parseConfig,
} from "../../src/index.js";

let folder: string;

beforeAll(async () => {
  folder = await fs.mkdtemp(path.join(os.tmpdir(), "jotty-config-"));
});

afterAll(async () => {
  await fs.remove(folder);
});

async function write(name: string, text: string): Promise<string> {
  const file = path.join(folder, name);
  await fs.writeFile(file, text);
  return file;
}

function caught(action: () => unknown): JottyError {
  try {
    action();
  } catch (error) {
    if (error instanceof JottyError) return error;
    throw error;
  }
  throw new Error("expected a JottyError");
}

describe("parseConfig", () => {
  it("fills every default from an empty object", () => {
    const config = parseConfig({});
    expect(config.learningMode).toBe(LearningMode.PERSISTENT);
    expect(config.seed).toBe(42);
    expect(config.learning).toEqual({
      alpha: 0.1,
      gamma: 0.99,
      lambda: 0.95,
      trace: "accumulating",
      epsilon: { kind: "linear", start: 0.3, end: 0.05, steps: 500 },
    });
    expect(config.memory.capacities).toEqual({ episodic: 1000, semantic: 500, procedural: 200, meta: 100, causal: 150 });
    expect(config.llm).toBeUndefined();
    expect(config.actors).toHaveLength(1);
  });

  it("fills llm defaults when only the model is given", () => {
    const config = parseConfig({ llm: { model: "small-model", baseURL: "http://127.0.0.1:8000/v1" } });
    expect(config.llm).toMatchObject({ provider: "openai", apiKeyEnv: "OPENAI_API_KEY", temperature: 0 });
  });

  it("lists every bad field by its path, with the value it got", () => {
    const error = caught(() =>
      parseConfig({
        learningMode: "sometimes",
        seed: 1.5,
        learning: { alpha: 2, epsilon: { kind: "linear", start: 0.3 } },
        llm: { model: "", apiKeyEnv: "not a name" },
        colour: "blue",
      }),
    );
    expect(error.code).toBe("config_invalid");
    const paths = (error.details.issues as Array<{ path: string }>).map((issue) => issue.path).sort();
    expect(paths).toEqual(
      [
        "(root)",
        "learning.alpha",
        "learning.epsilon.end",
        "learning.epsilon.steps",
        "learningMode",
        "llm.apiKeyEnv",
        "llm.model",
        "seed",
      ].sort(),
    );
    expect(error.message).toContain('learningMode: Invalid option: expected one of "disabled"|"contextual"|"persistent" (got "sometimes")');
    expect(error.message).toContain("learning.alpha");
    expect(error.message).toContain('Unrecognized key: "colour"');
    expect(error.message).not.toMatch(/\bat \w+ \(/); // no stack frames in the message
  });

  it("rejects duplicate actor names and dependencies on unknown actors", () => {
    const error = caught(() =>
      parseConfig({
        actors: [
          { name: "planner", dependsOn: ["critic"] },
          { name: "planner" },
        ],
      }),
    );
    const paths = (error.details.issues as Array<{ path: string }>).map((issue) => issue.path);
    expect(paths).toContain("actors[1].name");
    expect(paths).toContain("actors[0].dependsOn[0]");
    expect(error.message).toContain('unknown actor "critic"');
  });
});

describe("loadConfig", () => {
  it("reads JSON and YAML configs", async () => {
    const json = await write("a.json", JSON.stringify({ learningMode: "contextual", seed: 9 }));
    const yaml = await write("b.yaml", "learningMode: disabled\nlearning:\n  alpha: 0.5\n");
    expect((await loadConfig(json)).seed).toBe(9);
    const fromYaml = await loadConfig(yaml);
    expect(fromYaml.learningMode).toBe("disabled");
    expect(fromYaml.learning.alpha).toBe(0.5);
  });

  it("says clearly when the file is missing or not parseable", async () => {
    await expect(loadConfig(path.join(folder, "missing.json"))).rejects.toMatchObject({
      code: "config_not_found",
      message: expect.stringContaining("no such file"),
    });
    const broken = await write("broken.json", "{ learningMode: ");
    await expect(loadConfig(broken)).rejects.toMatchObject({ code: "config_parse_error" });
    const brokenYaml = await write("broken.yml", "learning: [unclosed\n");
    await expect(loadConfig(brokenYaml)).rejects.toMatchObject({ code: "config_parse_error" });
  });

  it("validates every config shipped in configs/", async () => {
    const configsFolder = path.resolve("configs");
    const files = (await fs.readdir(configsFolder)).filter(
      (file) => /\.(json|ya?ml)$/.test(file) && file !== "jotty.schema.json",
    );
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const file of files) {
      const config = await loadConfig(path.join(configsFolder, file));
      expect(JottyConfigSchema.safeParse(config).success).toBe(true);
    }
  });
});

describe("configJsonSchema", () => {
  it("describes the input shape, with defaults and without required defaulted fields", () => {
    const schema = configJsonSchema() as {
      type: string;
      required?: string[];
      properties: Record<string, { default?: unknown; enum?: unknown[] }>;
    };
    expect(schema.type).toBe("object");
    expect(schema.required ?? []).toEqual([]);
    expect(schema.properties.learningMode?.enum).toEqual(["disabled", "contextual", "persistent"]);
    expect(schema.properties.seed?.default).toBe(42);
  });

  it("matches the committed configs/jotty.schema.json (regenerate with `jotty config schema --out`)", async () => {
    const committed = await fs.readJson(path.resolve("configs/jotty.schema.json"));
    expect(committed).toEqual(configJsonSchema());
  });
});
