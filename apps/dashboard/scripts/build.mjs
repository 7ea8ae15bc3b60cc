// Builds the self-contained dashboard page: src/main.ts and uPlot bundled by esbuild, uPlot's CSS and the
// page's own, all inlined into src/index.html. Output: dist/index.html, served by the gateway at /dashboard
// (nothing is built at request time, and the page loads nothing from elsewhere).
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);

const bundle = await build({
  entryPoints: [join(here, "src", "main.ts")],
  bundle: true,
  minify: true,
  format: "iife",
  target: "es2020",
  platform: "browser",
  write: false,
  legalComments: "inline",
  logLevel: "warning",
});
const script = bundle.outputFiles[0].text.replace(/<\/(script)/gi, "<\\/$1");
const style = readFileSync(require.resolve("uplot/dist/uPlot.min.css"), "utf8") + readFileSync(join(here, "src", "style.css"), "utf8");
const template = readFileSync(join(here, "src", "index.html"), "utf8");
// Function replacers: a `$` in the bundle must not be read as a replacement pattern.
const html = template.replace("/*STYLE*/", () => style.replace(/<\/(style)/gi, "<\\/$1")).replace("/*SCRIPT*/", () => script);
mkdirSync(join(here, "dist"), { recursive: true });
writeFileSync(join(here, "dist", "index.html"), html);
console.log(`dashboard: dist/index.html ${(html.length / 1024).toFixed(0)} KB`);
