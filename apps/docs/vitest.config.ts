import { defineProject } from "vitest/config";

export default defineProject({ test: { name: "@runestone/docs", testTimeout: 60000, hookTimeout: 60000 } });
