import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm", "cjs"],
  dts: true,
  clean: false,
  target: "node20",
  onSuccess: "node scripts/copy-spec.mjs",
});
