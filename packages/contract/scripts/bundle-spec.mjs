// Bundles an OpenAPI entry file (with its $refs across files) into one JSON document, as the contract build does:
// the breaking-change check and the baseline publisher compare exactly what the package ships.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const pkg = join(dirname(fileURLToPath(import.meta.url)), "..");
export const root = join(pkg, "..", "..");
export const redocly = join(pkg, "node_modules", ".bin", "redocly");

/** The bundled document of `entry` (an openapi.yaml path). Throws with redocly's message when it does not bundle. */
export function bundleSpec(entry) {
  const work = mkdtempSync(join(tmpdir(), "runestone-bundle-"));
  try {
    const out = join(work, "openapi.json");
    execFileSync(redocly, ["bundle", entry, "--output", out, "--ext", "json"], {
      stdio: ["ignore", "ignore", "pipe"],
      env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" },
    });
    return JSON.parse(readFileSync(out, "utf8"));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The bundled spec as it was at a git commit of the repository at `repoRoot`. */
export function bundleSpecAt(repoRoot, ref) {
  const work = mkdtempSync(join(tmpdir(), "runestone-spec-at-"));
  try {
    execFileSync("sh", ["-c", 'git archive --format=tar "$1" openapi | tar -x -C "$2"', "sh", ref, work], {
      cwd: repoRoot,
      stdio: ["ignore", "ignore", "pipe"],
    });
    return bundleSpec(join(work, "openapi", "openapi.yaml"));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The baseline file's text for a document: stable, reviewable JSON. */
export function baselineText(doc) {
  return `${JSON.stringify(doc, null, 2)}\n`;
}
