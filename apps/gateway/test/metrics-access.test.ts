// Who may scrape /metrics (metrics.access), turning metrics off, and the tenant label switch.
import { afterEach, describe, expect, it } from "vitest";
import { parseConfig } from "../src/config/load";
import { isLoopback, scrapeRefusal } from "../src/http/routes/metrics";
import { AdminKey } from "../src/state/admin-key";
import { postJson, startHarness, testConfigYaml, type Harness } from "./harness";
import { parseMetrics, series } from "./metrics-text";

const ADMIN_KEY = "sk-metrics-admin-key-0123456789abcdef";
let h: Harness | undefined;

afterEach(async () => {
  await h?.close();
  h = undefined;
});

const scrape = (headers: Record<string, string> = {}) => fetch(`${h!.url}/metrics`, { headers });

describe("GET /metrics access", () => {
  it("answers loopback scrapes without a key by default", async () => {
    h = await startHarness();
    const res = await scrape();
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    expect(await res.text()).toContain("# TYPE runestone_requests_total counter");
  });

  it("refuses scrapes from other machines in loopback mode with 403", () => {
    const deps = { access: "loopback" as const, adminKey: AdminKey.fromConfig({}) };
    const remote = scrapeRefusal(deps, { socket: { remoteAddress: "10.1.2.3" }, headers: {} } as never);
    expect(remote?.status).toBe(403);
    expect(remote?.code).toBe("metrics_loopback_only");
    expect(scrapeRefusal(deps, { socket: { remoteAddress: "::ffff:127.0.0.1" }, headers: {} } as never)).toBeUndefined();
    // Forwarded by a reverse proxy on this machine: the client is not local.
    for (const h of [{ "x-forwarded-for": "203.0.113.9" }, { forwarded: "for=203.0.113.9" }, { "x-real-ip": "203.0.113.9" }]) {
      expect(scrapeRefusal(deps, { socket: { remoteAddress: "127.0.0.1" }, headers: h } as never)?.code).toBe("metrics_loopback_only");
    }
    expect(["127.0.0.1", "::1", "127.0.0.53", "::ffff:127.0.0.1"].every(isLoopback)).toBe(true);
    expect(["10.0.0.1", "::ffff:10.0.0.1", "192.168.1.127", undefined].some(isLoopback)).toBe(false);
  });

  it("requires the admin key as a bearer token in admin mode, and refuses tenant keys", async () => {
    h = await startHarness({ configYaml: (u) => testConfigYaml(u, `admin: { key: ${ADMIN_KEY} }\nmetrics: { access: admin }`) });
    const missing = await scrape();
    expect(missing.status).toBe(401);
    expect(((await missing.json()) as { error: { type: string; code: string } }).error).toMatchObject({ type: "authentication_error", code: "missing_api_key" });
    expect((await scrape({ authorization: "Bearer sk-test-tenant-a-0123456789" })).status).toBe(401);
    const ok = await scrape({ authorization: `Bearer ${ADMIN_KEY}` });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain("runestone_active_requests");
    expect(h.logs.text().includes(ADMIN_KEY)).toBe(false);
  });

  it("serves anyone in open mode, and nothing at all when metrics are disabled", async () => {
    h = await startHarness({ configYaml: (u) => testConfigYaml(u, "metrics: { access: open }") });
    expect((await scrape()).status).toBe(200);
    await h.close();
    h = await startHarness({ configYaml: (u) => testConfigYaml(u, "metrics: { enabled: false }") });
    const res = await scrape();
    expect(res.status).toBe(404);
  });

  it("rejects an unknown access mode at startup, naming the key", () => {
    expect(() => parseConfig(testConfigYaml("http://127.0.0.1:9", "metrics: { access: public }"), {})).toThrow(/metrics\.access/);
  });
});

describe("metric labels", () => {
  it("drops the tenant label everywhere when metrics.tenant_label is false", async () => {
    h = await startHarness({ configYaml: (u) => testConfigYaml(u, "metrics: { tenant_label: false }") });
    expect((await postJson(`${h.url}/v1/chat/completions`, { model: "mock-echo", messages: [{ role: "user", content: "hi" }] })).status).toBe(200);
    const samples = parseMetrics(await (await scrape()).text());
    const requests = series(samples, "runestone_requests_total").find((s) => s.labels.route === "/v1/chat/completions");
    expect(requests?.labels).toEqual({ route: "/v1/chat/completions", status: "200", provider: "mock", model: "mock-echo" });
    expect(samples.filter((s) => "tenant" in s.labels)).toEqual([]);
  });

  it("keeps unknown models, unknown paths and odd statuses out of the label values", async () => {
    h = await startHarness();
    await postJson(`${h.url}/v1/chat/completions`, { model: "made-up-model-123", messages: [{ role: "user", content: "hi" }] });
    await fetch(`${h.url}/v1/jobs/job_abc123`, { headers: { authorization: "Bearer sk-test-tenant-a-0123456789" } });
    await fetch(`${h.url}/no/such/path/42`);
    const samples = series(parseMetrics(await (await scrape()).text()), "runestone_requests_total");
    const values = samples.flatMap((s) => Object.values(s.labels));
    expect(values.some((v) => v.includes("made-up") || v.includes("job_abc123") || v.includes("/no/such"))).toBe(false);
    expect(samples.some((s) => s.labels.model === "other" && s.labels.status === "404")).toBe(true);
    expect(samples.some((s) => s.labels.route === "other")).toBe(true);
  });
});
