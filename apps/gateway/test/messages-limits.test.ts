// /v1/messages under tenant limits: the same admission as chat, refusals in Anthropic's error shape.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, testConfigYaml, type Harness } from "./harness";

const LIMITED_KEY = "sk-test-messages-rpm-0123456789";
let h: Harness;

beforeAll(async () => {
  h = await startHarness({
    configYaml: (u) => testConfigYaml(u) + `  - id: messages-rpm\n    keys: [${LIMITED_KEY}]\n    limits: { requests_per_minute: 1 }\n`,
  });
});
afterAll(() => h.close());

const message = () =>
  fetch(`${h.url}/v1/messages`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": LIMITED_KEY, "anthropic-version": "2023-06-01" },
    body: JSON.stringify({ model: "mock-echo", max_tokens: 50, messages: [{ role: "user", content: "hi" }] }),
  });

describe("/v1/messages under a tenant's limits", () => {
  it("admits up to the limit, then answers 429 in Anthropic's shape with Retry-After and rate-limit headers", async () => {
    const first = await message();
    expect(first.status).toBe(200);
    expect(((await first.json()) as { type: string }).type).toBe("message");
    const second = await message();
    expect(second.status).toBe(429);
    expect(Number(second.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(second.headers.get("x-ratelimit-limit-requests")).toBe("1");
    expect(second.headers.get("x-ratelimit-remaining-requests")).toBe("0");
    const body = (await second.json()) as { type: string; error: { type: string; message: string } };
    expect(body.type).toBe("error");
    expect(body.error.type).toBe("rate_limit_error");
  });
});
