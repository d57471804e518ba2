import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    environment: "node",
    setupFiles: ["test/setup.ts"],
    testTimeout: 60_000,
    // The JSON report is what `.ci/run` counts; the default reporter is what people read.
    reporters: ["default", "json"],
    outputFile: { json: "outputs/test-report.json" },
  },
});
