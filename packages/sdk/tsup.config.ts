import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm", "cjs"],
  // Inline the contract's types: @runestone/contract is private and must not appear in the published d.ts.
  dts: { resolve: ["@runestone/contract"] },
  clean: true,
  sourcemap: true,
  target: "node18",
  platform: "neutral",
  treeshake: true,
});
