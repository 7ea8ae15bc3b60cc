// Builds the self-contained docs page (Redoc scripts inlined, so it works offline) from the
// bundled contract. Output: dist/index.html, served by the gateway at /docs.
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const spec = require.resolve("@runestone/contract/openapi.json");
const redocly = join(here, "node_modules", ".bin", "redocly");
mkdirSync(join(here, "dist"), { recursive: true });
execFileSync(
  redocly,
  ["build-docs", spec, "--output", join(here, "dist", "index.html"), "--title", "Runestone API", "--inlineBundle", "--openapi.hideDownloadButtons=false"],
  { stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" } },
);
