// Bundles openapi/ into one document and generates TypeScript types from it.
// Generated files are never committed (see .gitignore), so they cannot drift from the spec:
// every build regenerates them.
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import openapiTS, { astToString } from "openapi-typescript";

const here = dirname(fileURLToPath(import.meta.url));
const pkg = join(here, "..");
const root = join(pkg, "..", "..");
const out = join(pkg, "src", "generated");
mkdirSync(out, { recursive: true });

const redocly = join(pkg, "node_modules", ".bin", "redocly");
const bundledJson = join(out, "openapi.json");
execFileSync(redocly, ["bundle", join(root, "openapi", "openapi.yaml"), "--output", bundledJson, "--ext", "json"], {
  stdio: ["ignore", "ignore", "inherit"],
});
const doc = JSON.parse(readFileSync(bundledJson, "utf8"));
const ast = await openapiTS(doc, { defaultNonNullable: false, alphabetize: false });
const banner = "// Generated from openapi/openapi.yaml by packages/contract/scripts/generate.mjs. Do not edit.\n";
writeFileSync(join(out, "schema.ts"), banner + astToString(ast));
