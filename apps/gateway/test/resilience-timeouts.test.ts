// Each timeout of a provider (connect, first byte, idle between stream chunks, total) and the overall
// request deadline, enforced against real sockets.
import { spawn, type ChildProcess } from "node:child_process";
import { connect, type Socket } from "node:net";
import { startMockUpstream, type MockUpstream } from "@runestone/mock-upstream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../src/config/load";
import { startGateway, type RunningGateway } from "../src/server";
import { createLogger } from "../src/telemetry/logger";
import { LogCapture, postJson, readSse, upstreamRequestsFor, tempSqlitePath } from "./harness";

/**
 * A loopback port whose accept queue is full: a child process listens with a backlog of 1 and never
 * accepts, and we fill the queue, so the kernel drops further SYNs and connects hang.
 */
async function blackhole(): Promise<{ port: number; close(): void }> {
  const child: ChildProcess = spawn(
    process.execPath,
    ["-e", `const s = require("node:net").createServer(); s.listen({ port: 0, host: "127.0.0.1", backlog: 1 }, () => { process.stdout.write(s.address().port + "\\n"); setTimeout(() => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0), 20); });`],
    { stdio: ["ignore", "pipe", "ignore"] },
  );
  const port = await new Promise<number>((resolve) => child.stdout!.once("data", (d) => resolve(Number(String(d).trim()))));
  await new Promise((r) => setTimeout(r, 100));
  const fillers: Socket[] = [];
  for (let i = 0; i < 4; i++) {
    await new Promise<void>((resolve) => {
      const s = connect(port, "127.0.0.1");
      fillers.push(s);
      s.once("connect", () => resolve());
      s.once("error", () => resolve());
      setTimeout(resolve, 200);
    });
  }
  return {
    port,
    close() {
      for (const s of fillers) s.destroy();
      child.kill("SIGKILL");
    },
  };
}

let upstream: MockUpstream;
let gateway: RunningGateway;
let hole: { port: number; close(): void };

beforeAll(async () => {
  upstream = await startMockUpstream();
  hole = await blackhole();
  const { config } = parseConfig(
    `
server: { host: 127.0.0.1, port: 0, request_timeout_ms: 2500 }
state: { sqlite_path: ${tempSqlitePath()} }
resilience:
  retries: { max_retries: 2, backoff_base_ms: 20, backoff_max_ms: 100, max_retry_after_ms: 5000 }
  breaker: { consecutive_failures: 100 }
providers:
  quick:
    type: openai
    base_url: "${upstream.url}/v1"
    api_key: sk-quick-upstream
    timeouts: { connect_ms: 300, first_byte_ms: 400, idle_ms: 400, total_ms: 1200 }
  patient:
    type: openai
    base_url: "${upstream.url}/v1"
    api_key: sk-patient-upstream
    timeouts: { connect_ms: 5000, first_byte_ms: 30000, idle_ms: 30000, total_ms: 30000 }
  capped:
    type: openai
    base_url: "${upstream.url}/v1"
    api_key: sk-capped-upstream
    timeouts: { connect_ms: 5000, first_byte_ms: 30000, idle_ms: 30000, total_ms: 800 }
  unreachable:
    type: openai
    base_url: "http://127.0.0.1:${hole.port}/v1"
    api_key: sk-hole-upstream
    timeouts: { connect_ms: 300, first_byte_ms: 30000, idle_ms: 30000, total_ms: 30000 }
models:
  quick: { deployments: [{ provider: quick, model: quick-up }] }
  patient: { deployments: [{ provider: patient, model: patient-up }, { provider: patient, model: patient-up-2 }] }
  capped: { deployments: [{ provider: capped, model: capped-up }] }
  unreachable: { deployments: [{ provider: unreachable, model: hole-up }] }
  hole-then-quick: { deployments: [{ provider: unreachable, model: hole-up-2 }, { provider: quick, model: after-hole }] }
tenants:
  - { id: tenant-a, keys: [sk-test-tenant-a-0123456789] }
`,
    {},
  );
  gateway = await startGateway({ config, logger: createLogger("silent", new LogCapture()), validateResponses: true });
});
afterAll(async () => {
  await gateway.close();
  await upstream.close();
  hole.close();
});

const ask = (model: string, extra: Record<string, unknown> = {}) =>
  postJson(`${gateway.url}/v1/chat/completions`, { model, messages: [{ role: "user", content: "one two three four five six" }], ...extra });
const sentTo = (m: string) => upstreamRequestsFor(upstream, m);
const errorOf = async (res: Response) => ((await res.json()) as { error: { type: string; code: string; message: string } }).error;
const lastEvent = (events: string[]) => JSON.parse(events.at(-1)!) as { error?: { code: string; message: string } };

describe("provider timeouts", () => {
  it("gives up connecting after connect_ms and answers 504, without retrying a timed-out deployment", async () => {
    const t0 = performance.now();
    const res = await ask("unreachable");
    expect(res.status).toBe(504);
    expect(await errorOf(res)).toMatchObject({ type: "service_error", code: "upstream_timeout" });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(290);
  });

  it("falls back to the next deployment when connecting times out", async () => {
    const res = await ask("hole-then-quick");
    expect(res.status).toBe(200);
    expect(res.headers.get("x-runestone-provider")).toBe("quick");
  });

  it("gives up waiting for the first byte after first_byte_ms and aborts the upstream request", async () => {
    upstream.behave({ stall: "before-headers" }, { times: 1, model: "quick-up" });
    const res = await ask("quick");
    expect(res.status).toBe(504);
    expect((await errorOf(res)).message).toMatch(/first-byte/);
    await upstream.waitFor(() => sentTo("quick-up").at(-1)?.clientClosedAt !== undefined);
  });

  it("ends a stream with an upstream_timeout event when a gap between chunks exceeds idle_ms", async () => {
    upstream.behave({ chunkDelayMs: 900 }, { times: 1, model: "quick-up" });
    const events = await readSse(await ask("quick", { stream: true }));
    expect(events).not.toContain("[DONE]");
    expect(lastEvent(events).error).toMatchObject({ code: "upstream_timeout" });
  });

  it("lets a slow stream through when every gap stays under idle_ms, even if the whole takes longer", async () => {
    upstream.behave({ chunkDelayMs: 100, chunks: 6 }, { times: 1, model: "quick-up" });
    const events = await readSse(await ask("quick", { stream: true }));
    expect(events.at(-1)).toBe("[DONE]");
  });

  it("cuts a stream that keeps trickling past total_ms with an error event", async () => {
    upstream.behave({ chunkDelayMs: 150, chunks: 20 }, { times: 1, model: "quick-up" });
    const events = await readSse(await ask("quick", { stream: true }));
    expect(events).not.toContain("[DONE]");
    expect(lastEvent(events).error?.message).toMatch(/total timeout/);
  });

  it("answers 504 when a non-streamed answer takes longer than total_ms, whatever the other timeouts allow", async () => {
    upstream.behave({ latencyMs: 1_500 }, { times: 1, model: "capped-up" });
    const res = await ask("capped");
    expect(res.status).toBe(504);
    expect((await errorOf(res)).message).toMatch(/total timeout \(800 ms\)/);
  });
});

describe("the request deadline", () => {
  it("ends a request whose candidates all hang at server.request_timeout_ms with 504", async () => {
    upstream.behave({ stall: "before-headers" }, { times: 2, model: "patient-up" });
    const t0 = performance.now();
    const res = await ask("patient");
    const elapsed = performance.now() - t0;
    expect(res.status).toBe(504);
    expect((await errorOf(res)).message).toMatch(/deadline/);
    // Providers were called: the 504 says which one it was waiting for.
    expect(res.headers.get("x-runestone-provider")).toBeTruthy();
    expect(res.headers.get("x-runestone-model")).toBe("patient");
    expect(elapsed).toBeGreaterThanOrEqual(2_400);
    expect(elapsed).toBeLessThan(10_000); // far below the provider's own 30 s first-byte timeout
    expect(sentTo("patient-up-2")).toHaveLength(0);
  });

  it("does not start a Retry-After wait that would end past the deadline", async () => {
    upstream.behave({ status: 429, retryAfter: 4 }, { times: 1, model: "quick-up" });
    const before = sentTo("quick-up").length;
    const res = await ask("quick");
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("4");
    expect(sentTo("quick-up").length - before).toBe(1);
  });
});
