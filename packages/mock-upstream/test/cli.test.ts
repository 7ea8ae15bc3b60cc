import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { once } from "node:events";
import { send } from "../src/testing/http.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..");
let outDir: string;

beforeAll(() => {
  // Build the CLI on its own so the test does not depend on (or disturb) dist/. Inside the package, so
  // that the dependencies it leaves external (the AWS event-stream codec) resolve from its node_modules.
  outDir = mkdtempSync(join(root, ".test-cli-"));
  execFileSync(join(root, "node_modules/.bin/tsup"), ["src/cli.ts", "--no-config", "--format", "esm", "--target", "node20", "--out-dir", outDir], {
    cwd: root,
    stdio: "ignore",
  });
}, 30_000);
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

function start(args: string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [join(outDir, "cli.js"), ...args], { stdio: ["ignore", "pipe", "pipe"] });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = out.match(/mock-upstream listening on (http:\/\/\S+)/);
      if (m) resolve({ child, url: m[1]! });
    });
    child.once("exit", (code) => reject(new Error(`cli exited with ${code}`)));
  });
}

describe("runestone-mock-upstream", () => {
  it("listens where it is told, answers requests, and exits cleanly on SIGTERM", async () => {
    const { child, url } = await start(["--port", "0", "--host", "127.0.0.1"]);
    try {
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const res = await send(`${url}/v1/chat/completions`, {
        method: "POST",
        body: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "cli" }] }),
      });
      expect((await res.json()).choices[0].message.content).toBe("echo: cli");
      expect((await (await send(`${url}/_mock/requests`)).json()).requests).toHaveLength(1);
    } finally {
      child.kill("SIGTERM");
    }
    const [code] = await once(child, "exit");
    expect(code).toBe(0);
  });

  it("records nothing with --no-record", async () => {
    const { child, url } = await start(["--port=0", "--no-record"]);
    try {
      await (await send(`${url}/v1/models`)).json();
      expect((await (await send(`${url}/_mock/requests`)).json()).requests).toEqual([]);
    } finally {
      child.kill("SIGINT");
    }
    const [code] = await once(child, "exit");
    expect(code).toBe(0);
  });
});
