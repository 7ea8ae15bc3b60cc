// Builds the self-contained docs page (Redoc scripts inlined, so it works offline) from the bundled contract,
// with the guides of guides/*.md shown before the reference. Output: dist/index.html, served by the gateway at
// /docs. The contract itself is not changed: the guides go into a copy used only for rendering.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { offline } from "./offline.mjs";
import { withGuides, readGuides } from "./with-guides.mjs";

const here = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const spec = JSON.parse(readFileSync(require.resolve("@runestone/contract/openapi.json"), "utf8"));
const redocly = join(here, "node_modules", ".bin", "redocly");

const work = mkdtempSync(join(tmpdir(), "runestone-docs-"));
try {
  const input = join(work, "openapi.docs.json");
  writeFileSync(input, JSON.stringify(withGuides(spec, readGuides(join(here, "guides")))));
  mkdirSync(join(here, "dist"), { recursive: true });
  execFileSync(
    redocly,
    ["build-docs", input, "--output", join(here, "dist", "index.html"), "--title", "Runestone API", "--inlineBundle", "--openapi.hideDownloadButtons=false"],
    { stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" } },
  );
  offline(join(here, "dist", "index.html"));
} finally {
  rmSync(work, { recursive: true, force: true });
}
