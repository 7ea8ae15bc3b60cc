// Ships the bundled spec next to the compiled types (JSON and YAML) for the docs site and the gateway.
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { stringify } from "yaml";

const pkg = join(dirname(fileURLToPath(import.meta.url)), "..");
const src = join(pkg, "src", "generated", "openapi.json");
copyFileSync(src, join(pkg, "dist", "openapi.json"));
writeFileSync(join(pkg, "dist", "openapi.yaml"), stringify(JSON.parse(readFileSync(src, "utf8"))));
