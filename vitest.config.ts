import { defineConfig } from "vitest/config";

// One vitest run over every workspace package, so CI reads a single pass/fail count.
const jsonReport = process.env.VITEST_JSON;

export default defineConfig({
  test: {
    // Most tests wait on sockets and child processes, not the CPU: more workers than cores pays off.
    maxWorkers: 3,
    projects: ["packages/*", "apps/*", "bench"],
    reporters: jsonReport ? ["default", ["json", { outputFile: jsonReport }]] : ["default"],
  },
});
