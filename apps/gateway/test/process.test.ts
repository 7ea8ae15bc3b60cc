// The built gateway as a real process: what `npm start` runs, and how it shuts down on SIGTERM.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startMockUpstream, type MockUpstream } from "@runestone/mock-upstream";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readSse, tempSqlitePath, TENANT_KEY, testConfigYaml } from "./harness";
import { mainJs, spawnGateway } from "./spawn-gateway";

let upstream: MockUpstream;
let configPath: string;

beforeAll(async () => {
  upstream = await startMockUpstream();
  const dir = mkdtempSync(join(tmpdir(), "runestone-proc-"));
  configPath = join(dir, "runestone.yaml");
  writeFileSync(configPath, testConfigYaml(upstream.url).replace(/^server:.*$/m, "server: { host: 127.0.0.1, port: 4001, shutdown_grace_ms: 5000 }"));
});
afterAll(() => upstream.close());

const exited = (child: ChildProcess) => new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));

describe("the gateway process", () => {
  it("starts on the embedded defaults with no keys and warns about the development key", async () => {
    const { child, url, output } = await spawnGateway({ RUNESTONE_CONFIG: "", RUNESTONE_DATA_FILE: tempSqlitePath() });
    try {
      const res = await fetch(`${url}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: "Bearer sk-runestone-dev", "content-type": "application/json" },
        body: JSON.stringify({ model: "mock-echo", messages: [{ role: "user", content: "hi" }] }),
      });
      expect(res.status).toBe(200);
      expect(output()).toMatch(/development tenant/);
    } finally {
      child.kill("SIGTERM");
      expect(await exited(child)).toBe(0);
    }
  });

  it("serves OpenAI models at OPENAI_BASE_URL with OPENAI_API_KEY on the embedded defaults, to the official SDK", async () => {
    upstream.reset();
    const { child, url } = await spawnGateway({ RUNESTONE_CONFIG: "", RUNESTONE_DATA_FILE: tempSqlitePath(), OPENAI_API_KEY: "sk-env-upstream", OPENAI_BASE_URL: `${upstream.url}/v1` });
    try {
      const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: "sk-runestone-dev", maxRetries: 0 });
      const completion = await client.chat.completions.create({ model: "gpt-6-luna", messages: [{ role: "user", content: "through env" }] });
      expect(completion.choices[0]!.message.content).toBe("echo: through env");
      const stream = await client.chat.completions.create({ model: "gpt-6-luna", stream: true, stream_options: { include_usage: true }, messages: [{ role: "user", content: "a b" }] });
      let text = "";
      let usage = 0;
      for await (const c of stream) {
        text += c.choices[0]?.delta.content ?? "";
        usage = c.usage?.total_tokens ?? usage;
      }
      expect(text).toBe("echo: a b");
      expect(usage).toBeGreaterThan(0);
      expect(upstream.requests.map((r) => r.headers.authorization)).toEqual(["Bearer sk-env-upstream", "Bearer sk-env-upstream"]);
    } finally {
      child.kill("SIGTERM");
      expect(await exited(child)).toBe(0);
    }
  });

  it("refuses to start on an invalid config and names the key", async () => {
    const bad = join(mkdtempSync(join(tmpdir(), "runestone-bad-")), "bad.yaml");
    writeFileSync(bad, "providers: {}\nmodels: {}\ntenants: []\nserver: { port: 'x' }\n");
    const child = spawn(process.execPath, [mainJs], { env: { ...process.env, RUNESTONE_CONFIG: bad }, stdio: ["ignore", "pipe", "pipe"] });
    let err = "";
    child.stderr!.on("data", (b) => (err += b));
    const code = await exited(child);
    expect(code).not.toBe(0);
    expect(err).toMatch(/server\.port/);
    expect(err).toMatch(/tenants/);
  });

  it("on SIGTERM stops being ready, finishes the in-flight stream, then exits 0", async () => {
    const { child, url } = await spawnGateway({ RUNESTONE_CONFIG: configPath });
    upstream.behave({ chunkDelayMs: 40 }, { times: 1 });
    const streaming = fetch(`${url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${TENANT_KEY}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-4o-mini", stream: true, messages: [{ role: "user", content: Array(20).fill("word").join(" ") }] }),
    });
    const res = await streaming;
    expect(res.status).toBe(200);
    const exit = exited(child);
    child.kill("SIGTERM");
    const events = await readSse(res);
    expect(events.at(-1)).toBe("[DONE]");
    expect(await exit).toBe(0);
  });
});
