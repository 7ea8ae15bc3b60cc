import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The check compares the spec with the PUBLISHED contract (a committed baseline file), never with the previous
// commit: a breaking commit followed by any other commit must still fail, with or without git history.

const root = fileURLToPath(new URL("../../../", import.meta.url));
const check = join(root, "scripts", "check-breaking-changes.mjs");
const publish = join(root, "scripts", "publish-contract.mjs");

type Doc = Record<string, any>;

function spec(edit: (doc: Doc) => void = () => {}): Doc {
  const doc: Doc = {
    openapi: "3.0.3",
    info: { title: "t", version: "1.0.0", license: { name: "MIT", url: "https://opensource.org/licenses/MIT" } },
    servers: [{ url: "http://127.0.0.1" }],
    security: [{ bearer: [] }],
    paths: {
      "/v1/things": {
        get: {
          operationId: "listThings",
          summary: "List things",
          responses: {
            "200": { description: "ok", content: { "application/json": { schema: { $ref: "#/components/schemas/Thing" } } } },
          },
        },
      },
    },
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
      schemas: {
        Thing: {
          type: "object",
          required: ["id", "status"],
          properties: { id: { type: "string" }, status: { type: "string", enum: ["queued", "done"] } },
        },
      },
    },
  };
  edit(doc);
  return doc;
}

const breakIt = (d: Doc) => d.components.schemas.Thing.properties.status.enum.push("failed");

let repo: string;
const specFile = () => join(repo, "openapi", "openapi.yaml");
const baselineFile = () => join(repo, "openapi", "baseline", "openapi.json");
const run = (script: string, ...args: string[]) => {
  const r = spawnSync(process.execPath, [script, "--spec", specFile(), "--baseline", baselineFile(), ...args], {
    cwd: repo,
    encoding: "utf8",
    env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" },
    timeout: 60_000,
  });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
};
const git = (...args: string[]) =>
  execFileSync("git", args, {
    cwd: repo,
    encoding: "utf8",
    env: { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@t", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@t" },
  });
// A .yaml file holding JSON is valid YAML, and the bundler reads it like the real spec.
const writeSpec = (doc: Doc) => writeFileSync(specFile(), JSON.stringify(doc, null, 2));

beforeAll(() => {
  repo = mkdtempSync(join(tmpdir(), "runestone-baseline-"));
  mkdirSync(join(repo, "openapi"), { recursive: true });
  writeSpec(spec());
  git("init", "-q", "-b", "main");
  expect(run(publish).status).toBe(0); // publishes v1 as the baseline
  git("add", ".");
  git("commit", "-q", "-m", "publish v1");
  writeSpec(spec(breakIt));
  git("commit", "-q", "-am", "a response enum gains a value (breaking)");
  writeFileSync(join(repo, "NOTES.md"), "unrelated\n");
  git("add", "NOTES.md");
  git("commit", "-q", "-m", "an unrelated commit on top");
}, 120_000);

afterAll(() => {
  if (repo) rmSync(repo, { recursive: true, force: true });
});

describe("the breaking-change check against the published baseline", () => {
  it("still fails after a breaking commit is followed by another commit (HEAD~1 has the same spec)", () => {
    expect(git("diff", "HEAD~1", "HEAD", "--stat", "--", "openapi")).toBe("");
    const { status, out } = run(check);
    expect(status, out).toBe(1);
    expect(out).toContain('GET /v1/things 200 response `status`: the enum may now return "failed"');
    expect(out).toContain("pnpm contract:publish --accept-breaking");
  }, 60_000);

  it("fails the same way with no git history at all", () => {
    const copy = mkdtempSync(join(tmpdir(), "runestone-nogit-"));
    try {
      cpSync(join(repo, "openapi"), join(copy, "openapi"), { recursive: true });
      const r = spawnSync(process.execPath, [check, "--spec", join(copy, "openapi", "openapi.yaml"), "--baseline", join(copy, "openapi", "baseline", "openapi.json")], {
        cwd: copy,
        encoding: "utf8",
        timeout: 60_000,
      });
      expect(existsSync(join(copy, ".git"))).toBe(false);
      expect(r.status, `${r.stdout}${r.stderr}`).toBe(1);
      expect(r.stderr).toContain('the enum may now return "failed"');
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  }, 60_000);

  it("fails when there is no baseline, instead of passing with nothing to compare", () => {
    const r = spawnSync(process.execPath, [check, "--spec", specFile(), "--baseline", join(repo, "missing.json")], { cwd: repo, encoding: "utf8", timeout: 60_000 });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("pnpm contract:publish");
  }, 60_000);

  it("publishing refuses a breaking contract unless accepted, then the check passes", () => {
    const before = readFileSync(baselineFile(), "utf8");
    const refused = run(publish);
    expect(refused.status, refused.out).toBe(1);
    expect(refused.out).toContain('the enum may now return "failed"');
    expect(readFileSync(baselineFile(), "utf8")).toBe(before);

    const accepted = run(publish, "--accept-breaking");
    expect(accepted.status, accepted.out).toBe(0);
    expect(accepted.out).toContain("accepting 1 breaking change(s)");
    expect(JSON.parse(readFileSync(baselineFile(), "utf8")).components.schemas.Thing.properties.status.enum).toEqual(["queued", "done", "failed"]);
    const after = run(check);
    expect(after.status, after.out).toBe(0);
    expect(after.out).toContain("breaking-changes: none");
  }, 120_000);
});

describe("the repository's own contract", () => {
  it("has a committed baseline, and lint runs the check against it (not against a git ref)", () => {
    const baseline = JSON.parse(readFileSync(join(root, "openapi", "baseline", "openapi.json"), "utf8"));
    expect(Object.keys(baseline.paths)).toContain("/v1/chat/completions");
    expect(JSON.stringify(baseline)).not.toMatch(/"\$ref":"\.\//); // bundled: no references to other files
    const lint: string = JSON.parse(readFileSync(join(root, "packages", "contract", "package.json"), "utf8")).scripts.lint;
    expect(lint).toMatch(/node \.\.\/\.\.\/scripts\/check-breaking-changes\.mjs(\s*$|\s*&&)/);
  });
});
