import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "@runestone/bench",
    include: ["test/**/*.test.ts"],
    testTimeout: 180_000,
  },
});
