import { describe, expect, it } from "vitest";
import { MetricLabels } from "./metric-labels";
import { GatewayMetrics } from "./metrics";

describe("GatewayMetrics token counters", () => {
  it("leave out a count prom-client would throw on (a string, negative, Infinity, NaN) instead of throwing", async () => {
    const metrics = new GatewayMetrics({ labels: new MetricLabels({ routes: ["/v1/chat/completions"], models: ["m"] }), tenantLabel: true, processMetrics: false });
    const finished = (v: unknown) =>
      metrics.events.requestFinished!({ requestId: "r", route: "/v1/chat/completions", method: "POST", status: 200, tenant: "t", provider: "p", model: "m", stream: false, durationMs: 1, promptTokens: v as number, completionTokens: v as number, cachedTokens: v as number, costUsd: v as number });
    for (const v of ["12", -5, Infinity, NaN, {}]) expect(() => finished(v)).not.toThrow();
    expect(() => metrics.events.jobUsage!({ tenant: "t", provider: "p", model: "m", promptTokens: -1, completionTokens: Infinity })).not.toThrow();
    finished(7);
    const text = (await metrics.scrape()).body;
    expect(text).toMatch(/runestone_input_tokens_total\{[^}]*\} 7\n/);
    expect(text).toMatch(/runestone_output_tokens_total\{[^}]*\} 7\n/);
  });
});

describe("GatewayMetrics breaker_state", () => {
  it("has exactly the bound registry's breakers: a breaker dropped from it leaves no series behind", async () => {
    const metrics = new GatewayMetrics({ labels: new MetricLabels({ routes: ["/v1/chat/completions"], models: ["m"] }), tenantLabel: true, processMetrics: false });
    let breakers = [
      { provider: "oai", model: "gpt-a", state: "open" as const },
      { provider: "oai", model: "gpt-b", state: "closed" as const },
    ];
    metrics.bindBreakers({ all: () => breakers });
    metrics.events.breakerStateChanged!({ provider: "oai", model: "gpt-b", state: "closed" });
    let text = (await metrics.scrape()).body;
    expect(text).toContain('runestone_breaker_state{provider="oai",deployment="gpt-a"} 2');
    expect(text).toContain('runestone_breaker_state{provider="oai",deployment="gpt-b"} 0');
    breakers = [breakers[0]!];
    text = (await metrics.scrape()).body;
    expect(text).toContain('runestone_breaker_state{provider="oai",deployment="gpt-a"} 2');
    expect(text).not.toContain('deployment="gpt-b"');
  });
});
