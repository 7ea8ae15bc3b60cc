import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const pkg = fileURLToPath(new URL("..", import.meta.url));
const root = join(pkg, "..", "..");
const generated = join(pkg, "src", "generated");

// The real generate.mjs runs in a copy of the repository's shape (openapi/ and node_modules/ linked), so the check
// uses exactly the build's options and never touches src/generated/ itself.
let scratch: string;
let regenerated: string;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), "runestone-drift-"));
  const copy = join(scratch, "packages", "contract");
  mkdirSync(join(copy, "scripts"), { recursive: true });
  cpSync(join(pkg, "scripts", "generate.mjs"), join(copy, "scripts", "generate.mjs"));
  symlinkSync(join(pkg, "node_modules"), join(copy, "node_modules"), "dir");
  symlinkSync(join(root, "openapi"), join(scratch, "openapi"), "dir");
  execFileSync(process.execPath, [join(copy, "scripts", "generate.mjs")], {
    stdio: "pipe",
    env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" },
  });
  regenerated = join(copy, "src", "generated");
}, 60_000);

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe("the generated contract files", () => {
  it("are exactly what the spec generates now (rebuild @runestone/contract if this fails)", () => {
    const files = readdirSync(regenerated).sort();
    expect(files).toEqual(expect.arrayContaining(["openapi.json", "schema.ts"]));
    expect(readdirSync(generated).sort()).toEqual(files);
    for (const file of files) {
      const fresh = readFileSync(join(regenerated, file));
      const built = readFileSync(join(generated, file));
      expect(built.equals(fresh), `src/generated/${file} differs from what openapi/ generates`).toBe(true);
    }
  });
});
