// Queued jobs are admitted and accounted like direct requests: under the queuing key's own limits
// (not only its tenant's), and with an estimate in the ledger when the provider reports no usage.
import { startMockUpstream, type MockUpstream } from "@runestone/mock-upstream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../src/config/load";
import { startGateway, type RunningGateway } from "../src/server";
import { createLogger } from "../src/telemetry/logger";
import { LogCapture, tempSqlitePath } from "./harness";
import { cancelJob, chat, enqueue, getJob, say, upstreamSaw, waitFinal } from "./jobs-harness";
import { ADMIN_KEY, api } from "./limits-harness";

const TENANT_KEY = "sk-test-open-tenant-0123456789";

let upstream: MockUpstream;
let gw: RunningGateway;

beforeAll(async () => {
  upstream = await startMockUpstream();
  const { config } = parseConfig(
    `
server: { host: 127.0.0.1, port: 0, shutdown_grace_ms: 1000 }
admin: { key: ${ADMIN_KEY} }
state: { sqlite_path: ${tempSqlitePath()} }
queue: { max_per_tenant: 5, max_wait_ms: 60000, result_ttl_ms: 60000 }
providers:
  openai: { type: openai, base_url: ${upstream.url}/v1, api_key: sk-upstream-secret }
models:
  fast:
    pricing: { input_per_1m: 1, output_per_1m: 2 }
    deployments: [{ provider: openai, model: gpt-4o-mini }]
  quiet:
    pricing: { input_per_1m: 1, output_per_1m: 2 }
    deployments: [{ provider: openai, model: quiet-model }]
tenants:
  - { id: open-tenant, keys: [${TENANT_KEY}], overflow: queue }
`,
    {},
  );
  gw = await startGateway({ config, logger: createLogger("warn", new LogCapture()), validateResponses: true });
});
afterAll(async () => {
  await gw.close();
  await upstream.close();
});

async function keyWith(limits: Record<string, number>): Promise<string> {
  const res = await api(gw.url, ADMIN_KEY, "POST", "/v1/admin/keys", { tenant_id: "open-tenant", limits });
  expect(res.status).toBe(201);
  return ((await res.json()) as { key: string }).key;
}

describe("a job queued by a key with its own limits", () => {
  it("waits for the key's window like a direct request, instead of running at once under its limit-free tenant", async () => {
    const key = await keyWith({ requests_per_minute: 2 });
    for (const n of [1, 2]) expect((await chat(gw.url, key, say("fast", `key-window-direct-${n}`))).status).toBe(200);
    const jobs = [await enqueue(gw.url, key, say("fast", "key-window-queued-1")), await enqueue(gw.url, key, say("fast", "key-window-queued-2"))];
    // Long enough for a worker to have taken them several times over (workers poll every few ms).
    await new Promise((r) => setTimeout(r, 1500));
    for (const j of jobs) expect((await getJob(gw.url, key, j.job_id)).body.status).toBe("queued");
    expect(upstreamSaw(upstream, "key-window-queued")).toHaveLength(0);
    for (const j of jobs) expect((await cancelJob(gw.url, key, j.job_id)).status).toBe(200);
  });
});

describe("a job whose provider reports no usage", () => {
  it("is accounted in the ledger by estimate, as a direct request is", async () => {
    const key = await keyWith({ max_concurrent: 1 });
    upstream.behave({ omitUsage: true }, { model: "quiet-model" });
    // The key's only slot is held by a slow direct request, so the next one queues.
    upstream.behave({ latencyMs: 600 }, { model: "gpt-4o-mini", times: 1 });
    const holder = chat(gw.url, key, say("fast", "quiet-holder"));
    await upstream.waitFor(() => upstreamSaw(upstream, "quiet-holder").length === 1, 5_000);
    const job = await enqueue(gw.url, key, say("quiet", "estimate me, please: a prompt of some length"));
    expect((await holder).status).toBe(200);
    const done = await waitFinal(gw.url, key, job.job_id);
    expect(done.status).toBe("succeeded");
    expect(done.result.usage).toBeUndefined();

    type Row = { model: string; requests: number; prompt_tokens: number; completion_tokens: number; cost_usd: number };
    let row: Row | undefined;
    for (let i = 0; i < 40 && !row; i++) {
      const usage = await api(gw.url, key, "GET", "/v1/usage?group_by=model");
      row = ((await usage.json()) as { data: Row[] }).data.find((r) => r.model === "quiet");
      if (!row) await new Promise((r) => setTimeout(r, 50));
    }
    expect(row).toMatchObject({ requests: 1 });
    expect(row!.prompt_tokens).toBeGreaterThan(0);
    expect(row!.completion_tokens).toBeGreaterThan(0);
    expect(row!.cost_usd).toBeGreaterThan(0);
  });
});
