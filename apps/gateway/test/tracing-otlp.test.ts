// OpenTelemetry traces over OTLP/HTTP: a tiny local collector receives the JSON export and the spans
// must follow the GenAI semantic conventions. Off by default, and then nothing is created.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openapiDocument } from "@runestone/contract";
import { parseConfig } from "../src/config/load";
import { createTelemetry } from "../src/telemetry/telemetry";
import { loadTracing, otlpTracesUrl } from "../src/telemetry/load-tracing";
import { postJson, readSse, startHarness, testConfigYaml, type Harness } from "./harness";

type AnyValue = { stringValue?: string; intValue?: number | string; doubleValue?: number; boolValue?: boolean; arrayValue?: { values: AnyValue[] } };
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: Array<{ key: string; value: AnyValue }>;
  status?: { code?: number };
}
interface Span {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attrs: Record<string, unknown>;
  error: boolean;
}

const SERVER = 2;
const CLIENT = 3;

function decode(v: AnyValue): unknown {
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.arrayValue) return v.arrayValue.values.map(decode);
  return undefined;
}

let collector: Server;
let collectorUrl: string;
const posts: Array<{ path: string; contentType: string; body: string }> = [];
let h: Harness;
let spans: Span[] = [];

beforeAll(async () => {
  collector = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      posts.push({ path: req.url ?? "", contentType: String(req.headers["content-type"]), body: Buffer.concat(chunks).toString("utf8") });
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((r) => collector.listen(0, "127.0.0.1", r));
  collectorUrl = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;

  h = await startHarness({ configYaml: (u) => testConfigYaml(u, `tracing: { otlp_endpoint: ${collectorUrl}, service_name: runestone-test }`) });
  h.upstream.behave({ status: 503 }, { times: 1, model: "primary-model" });
  const fb = await postJson(`${h.url}/v1/chat/completions`, { model: "gpt-4o-fallback", messages: [{ role: "user", content: "traced words" }], max_tokens: 50, temperature: 0.3, top_p: 0.9 });
  expect(fb.status).toBe(200);
  const stream = await postJson(
    `${h.url}/v1/chat/completions`,
    { model: "gpt-4o-mini", stream: true, messages: [{ role: "user", content: "a streamed secret prompt" }] },
    { traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" },
  );
  expect((await readSse(stream)).at(-1)).toBe("[DONE]");
  await h.close(); // flushes the batch of spans to the collector

  for (const p of posts) {
    const doc = JSON.parse(p.body) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: OtlpSpan[] }> }> };
    for (const rs of doc.resourceSpans)
      for (const ss of rs.scopeSpans)
        for (const s of ss.spans) {
          spans.push({
            traceId: s.traceId,
            spanId: s.spanId,
            parentSpanId: s.parentSpanId || undefined,
            name: s.name,
            kind: s.kind,
            attrs: Object.fromEntries(s.attributes.map((a) => [a.key, decode(a.value)])),
            error: s.status?.code === 2,
          });
        }
  }
}, 30_000);

afterAll(async () => {
  await new Promise<void>((r) => collector.close(() => r()));
});

describe("tracing over OTLP/HTTP", () => {
  it("posts JSON spans to the collector's /v1/traces", () => {
    expect(posts.length).toBeGreaterThan(0);
    expect(posts.every((p) => p.path === "/v1/traces" && p.contentType.startsWith("application/json"))).toBe(true);
    expect(posts[0]!.body).toContain('"runestone-test"');
  });

  it("records a server span per request with the GenAI request and response attributes", () => {
    const servers = spans.filter((s) => s.kind === SERVER && s.name === "POST /v1/chat/completions");
    expect(servers).toHaveLength(2);
    const fb = servers.find((s) => s.attrs["gen_ai.request.model"] === "gpt-4o-fallback")!;
    expect(fb.attrs).toMatchObject({
      "gen_ai.operation.name": "chat",
      "gen_ai.provider.name": "backup",
      "gen_ai.request.max_tokens": 50,
      "gen_ai.request.temperature": 0.3,
      "gen_ai.request.top_p": 0.9,
      "gen_ai.usage.input_tokens": 5,
      "gen_ai.usage.output_tokens": 3,
      "gen_ai.response.model": "backup-model",
      "gen_ai.response.finish_reasons": ["stop"],
      "http.response.status_code": 200,
      "http.route": "/v1/chat/completions",
      "runestone.fallbacks": 1,
      "runestone.tenant": "tenant-a",
    });
    expect(fb.attrs["gen_ai.response.id"]).toMatch(/^chatcmpl-/);
  });

  it("records one client span per upstream attempt under the request's span, the failed one marked as an error", () => {
    const fb = spans.find((s) => s.kind === SERVER && s.attrs["gen_ai.request.model"] === "gpt-4o-fallback")!;
    const attempts = spans.filter((s) => s.kind === CLIENT && s.parentSpanId === fb.spanId);
    expect(attempts.map((s) => s.name).sort()).toEqual(["chat backup-model", "chat primary-model"]);
    const failed = attempts.find((s) => s.name === "chat primary-model")!;
    expect(failed.error).toBe(true);
    expect(failed.attrs).toMatchObject({ "gen_ai.provider.name": "openai", "gen_ai.request.model": "primary-model", "error.type": "503", "gen_ai.request.max_tokens": 50 });
    const answered = attempts.find((s) => s.name === "chat backup-model")!;
    expect(answered.error).toBe(false);
    expect(answered.attrs).toMatchObject({ "gen_ai.operation.name": "chat", "gen_ai.provider.name": "backup", "gen_ai.usage.input_tokens": 5, "gen_ai.usage.output_tokens": 3, "gen_ai.response.finish_reasons": ["stop"] });
    expect(answered.traceId).toBe(fb.traceId);
  });

  it("continues the caller's trace from a traceparent header and traces streams to their end", () => {
    const stream = spans.find((s) => s.kind === SERVER && s.attrs["gen_ai.request.model"] === "gpt-4o-mini")!;
    expect(stream.traceId).toBe("0af7651916cd43dd8448eb211c80319c");
    expect(stream.parentSpanId).toBe("b7ad6b7169203331");
    expect(stream.attrs).toMatchObject({ "runestone.stream": true, "gen_ai.usage.input_tokens": 7, "gen_ai.usage.output_tokens": 5, "gen_ai.response.finish_reasons": ["stop"] });
    expect(typeof stream.attrs["runestone.ttft_ms"]).toBe("number");
    const client = spans.find((s) => s.kind === CLIENT && s.parentSpanId === stream.spanId)!;
    expect(client.attrs).toMatchObject({ "gen_ai.request.model": "gpt-4o-mini", "gen_ai.provider.name": "openai", "gen_ai.usage.output_tokens": 5 });
  });

  it("never exports prompt text, completions or keys", () => {
    const all = posts.map((p) => p.body).join("\n");
    for (const secret of ["traced words", "a streamed secret prompt", "echo:", "sk-test-tenant-a", "sk-upstream-secret"]) expect(all.includes(secret), secret).toBe(false);
  });
});

describe("tracing when not configured", () => {
  it("creates no tracer and adds no listener or middleware", async () => {
    const { config } = parseConfig(testConfigYaml("http://127.0.0.1:9"), {});
    expect(await loadTracing({ config, env: {}, version: "0" })).toBeUndefined();
    const telemetry = createTelemetry({ config, openapiDocument });
    expect(telemetry.tracing).toBeUndefined();
    expect(Object.keys(telemetry.events).sort()).toEqual(Object.keys(telemetry.metrics!.events).sort());
  });

  it("turns on from OTEL_EXPORTER_OTLP_ENDPOINT as well as from the config", () => {
    const { config } = parseConfig(testConfigYaml("http://127.0.0.1:9"), {});
    expect(otlpTracesUrl(config, { OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318/" })).toBe("http://127.0.0.1:4318/v1/traces");
    expect(otlpTracesUrl(config, { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://127.0.0.1:4318/custom" })).toBe("http://127.0.0.1:4318/custom");
    expect(otlpTracesUrl(config, {})).toBeUndefined();
  });
});
