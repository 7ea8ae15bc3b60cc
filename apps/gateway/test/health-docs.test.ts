// Health endpoints for orchestrators, the spec at /openapi.json and the docs page at /docs.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "./harness";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

describe("health", () => {
  it("reports components, version, uptime and a millisecond timestamp without auth", async () => {
    const res = await fetch(`${h.url}/health`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, any>;
    expect(body.status).toBe("healthy");
    expect(Object.keys(body.components).sort()).toEqual(["providers", "queue", "state"]);
    expect(body.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(Math.abs(body.timestamp - Date.now())).toBeLessThan(5000);
    expect(body.uptime).toBeGreaterThanOrEqual(0);
  });

  it("answers liveness and readiness", async () => {
    expect((await fetch(`${h.url}/health/live`)).status).toBe(200);
    const ready = await fetch(`${h.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as { ready: boolean }).ready).toBe(true);
  });

  it("says not ready while draining", async () => {
    h.gateway.lifecycle.draining = true;
    try {
      const res = await fetch(`${h.url}/health/ready`);
      expect(res.status).toBe(503);
      expect(((await res.json()) as { status: string }).status).toBe("draining");
    } finally {
      h.gateway.lifecycle.draining = false;
    }
  });
});

describe("the contract over HTTP", () => {
  it("serves the bundled spec at /openapi.json", async () => {
    const res = await fetch(`${h.url}/openapi.json`);
    const spec = (await res.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(spec.openapi).toMatch(/^3\./);
    expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(["/v1/chat/completions", "/v1/chat/stream", "/v1/models", "/health"]));
  });
});
