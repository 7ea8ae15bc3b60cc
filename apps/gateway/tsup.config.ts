import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/main.ts", "src/app.ts"],
  format: ["esm"],
  target: "node20",
  clean: true,
  sourcemap: true,
  dts: false,
});
