import { defineConfig } from "vitest/config";

// Lets `npx vitest run` work from this folder too; the root config picks this project up by its name.
export default defineConfig({
  test: { name: "@runestone/mock-upstream" },
});
