// The package as users get it: `pnpm pack` (which turns `catalog:` and `workspace:` ranges into versions, as
// `pnpm publish` does; `npm pack` would ship `catalog:` and nothing could install it), installed with npm into an
// empty folder outside the workspace, then the README's example run from `import` and from `require` against a
// running gateway, streamed and not. npm prefers its cache and uses the registry for what is not cached.
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGateway, type GatewayProcess } from "./gateway-process";

const run = promisify(execFile);
const sdk = fileURLToPath(new URL("..", import.meta.url));
const README_URL = "http://127.0.0.1:4001";

let dir: string;
let consumer: string;
let gateway: GatewayProcess;

/** The README's fenced code block that follows `heading`. */
function readmeBlock(heading: string): string {
  const readme = readFileSync(join(sdk, "README.md"), "utf8");
  const at = readme.indexOf(`\n${heading}\n`);
  if (at < 0) throw new Error(`README.md has no "${heading}" section`);
  const block = /```(?:ts|js)\n([\s\S]*?)```/.exec(readme.slice(at));
  if (!block) throw new Error(`README.md has no code block under "${heading}"`);
  return block[1]!;
}

async function node(script: string): Promise<string> {
  const { stdout } = await run(process.execPath, [script], {
    cwd: consumer,
    env: { ...process.env, RUNESTONE_API_KEY: "sk-runestone-dev" },
    timeout: 30_000,
  });
  return stdout;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "runestone-sdk-pack-"));
  await run("pnpm", ["pack", "--pack-destination", dir], { cwd: sdk, timeout: 60_000 });
  const tarball = readdirSync(dir).find((f) => f.endsWith(".tgz"));
  if (!tarball) throw new Error(`pnpm pack wrote no tarball into ${dir}`);
  consumer = join(dir, "consumer");
  mkdirSync(consumer);
  writeFileSync(join(consumer, "package.json"), JSON.stringify({ name: "consumer", private: true }));
  await run("npm", ["install", join(dir, tarball), "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], {
    cwd: consumer,
    timeout: 150_000,
  });
  gateway = await startGateway();
}, 240_000);

afterAll(async () => {
  await gateway?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("the packed SDK installed outside the workspace", () => {
  it("ships only dist, the README and a package.json with plain version ranges", () => {
    const installed = join(consumer, "node_modules", "@runestone", "sdk");
    expect(readdirSync(installed).sort()).toEqual(["README.md", "dist", "package.json"]);
    const pkg = JSON.parse(readFileSync(join(installed, "package.json"), "utf8"));
    expect(JSON.stringify(pkg.dependencies)).not.toMatch(/catalog:|workspace:/);
    expect(readFileSync(join(installed, "dist", "index.d.ts"), "utf8")).not.toContain("@runestone/contract");
  });

  it("runs the README's example from an ES module, streamed and not", async () => {
    const example = `${readmeBlock("## Quick start")}\n${readmeBlock("### Streaming")}`;
    expect(example).toContain(README_URL);
    writeFileSync(join(consumer, "example.mjs"), example.split(README_URL).join(gateway.url));
    const out = await node("example.mjs");
    expect(out).toContain("echo: Hello! mock");
    expect(out).toContain("echo: Tell me a story");
    expect(out).toMatch(/tokens: \d+/);
  });

  it("works from require() in CommonJS, streamed and not", async () => {
    writeFileSync(
      join(consumer, "example.cjs"),
      `const { createClient, isQueued, NotFoundError } = require("@runestone/sdk");
const runestone = createClient({ baseUrl: ${JSON.stringify(gateway.url)}, apiKey: process.env.RUNESTONE_API_KEY });
(async () => {
  const completion = await runestone.chat.completions.create({ model: "mock-echo", messages: [{ role: "user", content: "from require" }] });
  if (!isQueued(completion)) console.log(completion.choices[0].message.content);
  const stream = await runestone.chat.completions.stream({ model: "mock-echo", messages: [{ role: "user", content: "streamed from require" }] });
  console.log(await stream.finalText());
  try { await runestone.models.retrieve("nope"); } catch (err) { console.log(err instanceof NotFoundError, err.code); }
})().catch((err) => { console.error(err); process.exit(1); });
`,
    );
    const out = await node("example.cjs");
    expect(out).toContain("echo: from require\n");
    expect(out).toContain("echo: streamed from require\n");
    expect(out).toContain("true model_not_found");
  });
});
