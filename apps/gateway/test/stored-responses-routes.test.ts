// GET / DELETE /v1/responses/{id} and GET .../input_items over records put through the gateway's own store
// (embedded: a real SQLite file; Redis: a real redis-server), with every JSON answer validated against the
// spec: the tenant sees its own, another tenant and unknown ids get OpenAI's 404, an unreachable Redis a 503.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../src/config/load";
import type { StoredResponse } from "../src/core/response-store";
import { startGateway, type RunningGateway } from "../src/server";
import { createLogger } from "../src/telemetry/logger";
import { LogCapture, OTHER_KEY, TENANT_KEY, testConfigYaml } from "./harness";
import { startRedis, type RedisServer } from "./redis-server";

const call = (gw: RunningGateway, method: string, path: string, key = TENANT_KEY) => fetch(`${gw.url}${path}`, { method, headers: { authorization: `Bearer ${key}` } });

let seq = 0;
function record(tenantId: string, items = 1): StoredResponse {
  const id = `resp_route_${++seq}_${Date.now()}`;
  const input = Array.from({ length: items }, (_, i) => ({ type: "message", role: "user", content: `turn ${i}` }));
  return {
    id,
    tenantId,
    createdAt: 1735689600,
    input,
    response: {
      id,
      object: "response",
      created_at: 1735689600,
      status: "completed",
      model: "mock-echo",
      output: [{ type: "message", id: "msg_1", status: "completed", role: "assistant", content: [{ type: "output_text", text: "echo: turn", annotations: [] }] }],
      usage: { input_tokens: 3, output_tokens: 2, total_tokens: 5 },
    },
  };
}

async function start(extra = ""): Promise<{ gw: RunningGateway; logs: LogCapture }> {
  const logs = new LogCapture();
  const { config } = parseConfig(testConfigYaml("http://127.0.0.1:9", extra), {});
  return { gw: await startGateway({ config, logger: createLogger("info", logs), validateResponses: true }), logs };
}

describe("stored responses, embedded", () => {
  let gw: RunningGateway;
  beforeAll(async () => {
    ({ gw } = await start());
  });
  afterAll(async () => {
    await gw?.close();
  });

  it("answers the tenant's stored response exactly as it was stored", async () => {
    const r = record("tenant-a");
    await gw.state.responses.put(r);
    const res = await call(gw, "GET", `/v1/responses/${r.id}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(r.response);
  });

  it("is a 404 in OpenAI's shape for another tenant's id, on GET, DELETE and input_items, and leaves it in place", async () => {
    const r = record("tenant-a");
    await gw.state.responses.put(r);
    for (const [method, path] of [["GET", `/v1/responses/${r.id}`], ["DELETE", `/v1/responses/${r.id}`], ["GET", `/v1/responses/${r.id}/input_items`]] as const) {
      const res = await call(gw, method, path, OTHER_KEY);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(await res.json()).toEqual({
        error: { message: `No response ${r.id} was found for this API key's tenant.`, type: "not_found_error", code: "response_not_found", param: "response_id" },
      });
    }
    expect((await call(gw, "GET", `/v1/responses/${r.id}`)).status).toBe(200);
  });

  it("is a 404 for an id never stored, and a 401 without a key", async () => {
    expect((await call(gw, "GET", "/v1/responses/resp_never")).status).toBe(404);
    expect((await call(gw, "DELETE", "/v1/responses/resp_never")).status).toBe(404);
    expect((await fetch(`${gw.url}/v1/responses/resp_never`)).status).toBe(401);
  });

  it("deletes with OpenAI's answer, after which GET and a second DELETE are 404", async () => {
    const r = record("tenant-a");
    await gw.state.responses.put(r);
    const res = await call(gw, "DELETE", `/v1/responses/${r.id}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id: r.id, object: "response", deleted: true });
    expect((await call(gw, "GET", `/v1/responses/${r.id}`)).status).toBe(404);
    expect((await call(gw, "DELETE", `/v1/responses/${r.id}`)).status).toBe(404);
    expect(await gw.state.responses.get("tenant-a", r.id)).toBeUndefined();
  });

  it("lists input items a page at a time, newest first by default, following `after`", async () => {
    const r = record("tenant-a", 5);
    (r.input[2] as Record<string, unknown>).id = "msg_own_id";
    await gw.state.responses.put(r);
    const page = async (q: string) => {
      const res = await call(gw, "GET", `/v1/responses/${r.id}/input_items${q}`);
      expect(res.status).toBe(200);
      return (await res.json()) as { object: string; data: Array<{ id: string; content: string }>; first_id: string | null; last_id: string | null; has_more: boolean };
    };
    const all = await page("");
    expect(all.object).toBe("list");
    expect(all.data.map((i) => i.content)).toEqual(["turn 4", "turn 3", "turn 2", "turn 1", "turn 0"]);
    expect(all.data.map((i) => i.id)).toEqual(["item_4", "item_3", "msg_own_id", "item_1", "item_0"]);
    expect(all.has_more).toBe(false);

    const first = await page("?order=asc&limit=2");
    expect(first).toMatchObject({ first_id: "item_0", last_id: "item_1", has_more: true });
    const second = await page(`?order=asc&limit=2&after=${first.last_id}`);
    expect(second.data.map((i) => i.content)).toEqual(["turn 2", "turn 3"]);
    expect(second).toMatchObject({ first_id: "msg_own_id", last_id: "item_3", has_more: true });
    const last = await page(`?order=asc&limit=2&after=${second.last_id}`);
    expect(last).toMatchObject({ first_id: "item_4", last_id: "item_4", has_more: false });

    expect((await call(gw, "GET", `/v1/responses/${r.id}/input_items?limit=0`)).status).toBe(400);
    expect((await call(gw, "GET", `/v1/responses/${r.id}/input_items?after=item_99`)).status).toBe(400);
  });
});

describe("stored responses, embedded, when the SQLite file cannot be read", () => {
  it("answers 503 state_unavailable on GET, DELETE and a POST naming previous_response_id, never a 500", async () => {
    const logs = new LogCapture();
    const { config } = parseConfig(testConfigYaml("http://127.0.0.1:9"), {});
    const gw = await startGateway({ config, logger: createLogger("info", logs), validateResponses: true });
    try {
      gw.state.sqlite!.close();
      for (const method of ["GET", "DELETE"]) {
        const res = await call(gw, method, "/v1/responses/resp_only_in_the_file");
        expect(res.status, method).toBe(503);
        expect(res.headers.get("retry-after")).toBe("1");
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe("state_unavailable");
      }
      const post = await fetch(`${gw.url}/v1/responses`, {
        method: "POST",
        headers: { authorization: `Bearer ${TENANT_KEY}`, "content-type": "application/json" },
        body: JSON.stringify({ model: "mock-echo", previous_response_id: "resp_only_in_the_file", input: "hi" }),
      });
      expect(post.status).toBe(503);
      expect(((await post.json()) as { error: { code: string } }).error.code).toBe("state_unavailable");
    } finally {
      await gw.close().catch(() => undefined);
    }
  });
});

describe("stored responses, embedded, across a gateway restart", () => {
  it("answers a response stored before the restart, on the same SQLite file", async () => {
    const { config } = parseConfig(testConfigYaml("http://127.0.0.1:9"), {});
    const logger = createLogger("silent", new LogCapture());
    const r = record("tenant-a");
    const first = await startGateway({ config, logger });
    await first.state.responses.put(r);
    await first.close();
    const second = await startGateway({ config, logger, validateResponses: true });
    try {
      const res = await call(second, "GET", `/v1/responses/${r.id}`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual(r.response);
    } finally {
      await second.close();
    }
  });
});

describe("stored responses, Redis", () => {
  let redis: RedisServer;
  let gw: RunningGateway;
  beforeAll(async () => {
    redis = await startRedis();
    ({ gw } = await start(`state: { redis_url: "${redis.url}", redis_prefix: "stored-responses:" }\n`));
  });
  afterAll(async () => {
    await gw?.close();
    await redis?.stop();
  });

  it("reads, isolates and deletes as embedded does", async () => {
    const r = record("tenant-a");
    await gw.state.responses.put(r);
    expect(await (await call(gw, "GET", `/v1/responses/${r.id}`)).json()).toEqual(r.response);
    expect((await call(gw, "GET", `/v1/responses/${r.id}`, OTHER_KEY)).status).toBe(404);
    expect((await call(gw, "DELETE", `/v1/responses/${r.id}`)).status).toBe(200);
    expect((await call(gw, "GET", `/v1/responses/${r.id}`)).status).toBe(404);
  });

  it("answers 503 state_unavailable with Retry-After when Redis cannot be reached", async () => {
    const r = record("tenant-a");
    await gw.state.responses.put(r);
    await redis.stop();
    for (const method of ["GET", "DELETE"]) {
      const res = await call(gw, method, `/v1/responses/${r.id}`);
      expect(res.status, method).toBe(503);
      expect(res.headers.get("retry-after")).toBe("1");
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("state_unavailable");
    }
  });
});
