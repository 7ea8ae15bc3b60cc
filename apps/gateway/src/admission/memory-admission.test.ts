import { describe, expect, it } from "vitest";
import type { Tenant } from "../core/tenant";
import { MemoryAdmission } from "./memory-admission";
import { formatDuration, rateLimitHeaders } from "./rate-limit-headers";
import type { AdmissionResult } from "./types";

const tenant = (limits: Tenant["limits"]): Tenant => ({ id: "t", limits, overflow: "reject" });
const admitted = (r: AdmissionResult) => (r.admitted ? r.lease : undefined);

describe("MemoryAdmission", () => {
  it("frees request capacity one minute after each admission, not at a fixed window boundary", () => {
    let now = 1_000_000;
    const a = new MemoryAdmission(10, () => now);
    const t = tenant({ requests_per_minute: 2 });
    expect(a.admitSync({ tenant: t, estimatedTokens: 0 }).admitted).toBe(true);
    now += 30_000;
    expect(a.admitSync({ tenant: t, estimatedTokens: 0 }).admitted).toBe(true);
    now += 29_000;
    const refused = a.admitSync({ tenant: t, estimatedTokens: 0 });
    expect(refused).toMatchObject({ admitted: false, limit: "requests", retryAfterMs: 1_000 });
    now += 1_000;
    expect(a.admitSync({ tenant: t, estimatedTokens: 0 }).admitted).toBe(true);
    // The second admission is still inside the window.
    expect(a.admitSync({ tenant: t, estimatedTokens: 0 }).admitted).toBe(false);
  });

  it("reserves tokens up front and corrects them to the real usage on release", async () => {
    const now = 5_000_000;
    const a = new MemoryAdmission(10, () => now);
    const t = tenant({ tokens_per_minute: 1_000 });
    const first = admitted(a.admitSync({ tenant: t, estimatedTokens: 600 }))!;
    expect(first.state).toMatchObject({ limitTokens: 1_000, remainingTokens: 400 });
    expect(a.admitSync({ tenant: t, estimatedTokens: 600 })).toMatchObject({ admitted: false, limit: "tokens" });
    await first.release(100, 0);
    const second = admitted(a.admitSync({ tenant: t, estimatedTokens: 600 }))!;
    expect(second.state.remainingTokens).toBe(300);
  });

  it("frees a concurrency slot exactly once however often release is called", async () => {
    const a = new MemoryAdmission(1);
    const t = tenant({});
    const lease = admitted(a.admitSync({ tenant: t, estimatedTokens: 0 }))!;
    expect(a.admitSync({ tenant: t, estimatedTokens: 0 })).toMatchObject({ admitted: false, limit: "concurrency" });
    await lease.release(undefined, 0);
    await lease.release(undefined, 0);
    const again = admitted(a.admitSync({ tenant: t, estimatedTokens: 0 }))!;
    expect(again).toBeDefined();
    expect(a.admitSync({ tenant: t, estimatedTokens: 0 }).admitted).toBe(false);
  });

  it("applies a key's own limits on top of its tenant's", () => {
    const a = new MemoryAdmission(10);
    const t = tenant({ requests_per_minute: 10 });
    const req = { tenant: t, keyId: "key_1", keyLimits: { requests_per_minute: 1 }, estimatedTokens: 0 };
    expect(a.admitSync(req).admitted).toBe(true);
    expect(a.admitSync(req)).toMatchObject({ admitted: false, limit: "requests" });
    expect(a.admitSync({ tenant: t, keyId: "key_2", estimatedTokens: 0 }).admitted).toBe(true);
  });
});

describe("x-ratelimit-* headers", () => {
  it("renders durations the way OpenAI does", () => {
    expect(formatDuration(350)).toBe("350ms");
    expect(formatDuration(12_500)).toBe("12.5s");
    expect(formatDuration(62_000)).toBe("1m2s");
  });

  it("sends only the kinds of limit the tenant has", () => {
    expect(rateLimitHeaders({})).toEqual({});
    expect(rateLimitHeaders({ limitRequests: 5, remainingRequests: 4, resetRequestsMs: 60_000 })).toEqual({
      "x-ratelimit-limit-requests": "5",
      "x-ratelimit-remaining-requests": "4",
      "x-ratelimit-reset-requests": "1m0s",
    });
  });
});
