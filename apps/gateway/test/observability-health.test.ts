// /health and /metrics tell the same, true story: breaker states per deployment and the queue's depth.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { postJson, startHarness, testConfigYaml, type Harness } from "./harness";
import { parseMetrics, sum } from "./metrics-text";

let h: Harness | undefined;
let dir: string | undefined;

afterEach(async () => {
  await h?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  h = dir = undefined;
});

interface Health {
  status: string;
  components: Record<string, { status: string; message?: string; details?: Record<string, any> }>;
}

async function health(): Promise<{ code: number; body: Health }> {
  const res = await fetch(`${h!.url}/health`);
  return { code: res.status, body: (await res.json()) as Health };
}

const metrics = async () => parseMetrics(await (await fetch(`${h!.url}/metrics`)).text());

describe("health and metrics agree on what is wrong", () => {
  it("shows an opened circuit breaker in /health and as 2 in runestone_breaker_state", async () => {
    dir = mkdtempSync(join(tmpdir(), "runestone-obs-health-"));
    const extra = `
state: { sqlite_path: ${join(dir, "state.db")} }
resilience:
  retries: { max_retries: 0 }
  breaker: { consecutive_failures: 2, open_ms: 60000 }
`;
    h = await startHarness({
      configYaml: (u) => testConfigYaml(u, extra).replace("models:\n", `models:\n  down-model:\n    deployments: [{ provider: openai, model: "down::status=503" }]\n`),
    });
    const before = await health();
    expect(before.body.components.providers!.status).toBe("healthy");
    expect(sum(await metrics(), "runestone_breaker_state", { provider: "openai", deployment: "down::status=503" })).toBe(0);

    for (let i = 0; i < 2; i++) expect((await postJson(`${h.url}/v1/chat/completions`, { model: "down-model", messages: [{ role: "user", content: "hi" }] })).status).toBeGreaterThanOrEqual(500);

    const after = await health();
    expect(after.code).toBe(200);
    expect(after.body.status).toBe("degraded");
    expect(after.body.components.providers).toMatchObject({ status: "degraded", details: { openai: { breakers: { "down::status=503": { state: "open" } } } } });
    expect(after.body.components.queue!.details).toMatchObject({ depth: 0 });
    const samples = await metrics();
    expect(sum(samples, "runestone_breaker_state", { provider: "openai", deployment: "down::status=503" })).toBe(2);
    expect(sum(samples, "runestone_breaker_state", { provider: "openai", deployment: "gpt-4o-mini" })).toBe(0);
    expect(sum(samples, "runestone_upstream_duration_seconds_count", { model: "down-model", outcome: "http" })).toBe(2);
  });
});
