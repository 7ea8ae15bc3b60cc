// The request log of the built gateway as a real process: its lines leave in batches at the end of an
// event-loop turn (telemetry/logger.ts), so the last requests before an exit must still be written.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startMockUpstream, type MockUpstream } from "@runestone/mock-upstream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readSse, TENANT_KEY, testConfigYaml } from "./harness";
import { spawnGateway } from "./spawn-gateway";

let upstream: MockUpstream;
let configPath: string;

beforeAll(async () => {
  upstream = await startMockUpstream();
  const dir = mkdtempSync(join(tmpdir(), "runestone-reqlog-"));
  configPath = join(dir, "runestone.yaml");
  writeFileSync(configPath, testConfigYaml(upstream.url).replace(/^server:.*$/m, "server: { host: 127.0.0.1, port: 4001, shutdown_grace_ms: 5000 }"));
});
afterAll(() => upstream.close());

const requestLines = (out: string) =>
  out
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => l.msg === "request" && l.route === "/v1/chat/completions");

describe("the request log of a gateway process", () => {
  it("writes the line of every request, also of the stream that ended the drain just before the process exited", async () => {
    const gw = await spawnGateway({ RUNESTONE_CONFIG: configPath });
    const post = (body: Record<string, unknown>, id: string) =>
      fetch(`${gw.url}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${TENANT_KEY}`, "content-type": "application/json", "x-request-id": id },
        body: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hello" }], ...body }),
      });
    // A few at a time: the default per-tenant concurrency limit would refuse a burst.
    const answers: Response[] = [];
    for (let i = 0; i < 20; i += 4) answers.push(...(await Promise.all([0, 1, 2, 3].map((k) => post({}, `json-${i + k}`)))));
    for (const a of answers) expect(a.status).toBe(200);
    await Promise.all(answers.map((a) => a.text()));
    upstream.behave({ chunkDelayMs: 40 }, { times: 1 });
    const res = await post({ stream: true }, "last-stream");
    expect(res.status).toBe(200);
    const exit = new Promise<number | null>((resolve) => gw.child.once("exit", (code) => resolve(code)));
    gw.child.kill("SIGTERM");
    expect((await readSse(res)).at(-1)).toBe("[DONE]");
    expect(await exit).toBe(0);
    const lines = requestLines(gw.output());
    expect(lines.map((l) => l.request_id).sort()).toEqual([...answers.map((_, i) => `json-${i}`), "last-stream"].sort());
    expect(lines.find((l) => l.request_id === "last-stream")).toMatchObject({ status: 200, stream: true, level: 30, service: "runestone" });
  });
});
