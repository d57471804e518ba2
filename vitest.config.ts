import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    environment: "node",
    setupFiles: ["test/setup.ts"],
    // One worker a core: vitest's default leaves one core idle, and the suite's longest tests
    // wait on child processes (the crash suites), so a second worker shortens the run by about a quarter.
    maxWorkers: "100%",
    testTimeout: 120_000,
    // The JSON report is what `.ci/run` counts; the default reporter is what people read.
    reporters: ["default", "json"],
    outputFile: { json: "outputs/test-report.json" },
  },
});
