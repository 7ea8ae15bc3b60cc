import { defineConfig } from "vitest/config";

// One vitest run over every workspace package, so CI reads a single pass/fail count.
const jsonReport = process.env.VITEST_JSON;

export default defineConfig({
  test: {
    projects: ["packages/*", "apps/*"],
    reporters: jsonReport ? ["default", ["json", { outputFile: jsonReport }]] : ["default"],
  },
});
