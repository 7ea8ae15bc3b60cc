// Regression: an Azure OpenAI stream opens with the content filter's prompt annotation (`id: ""`, `choices: []`)
// and, with the Asynchronous Filter, has annotation-only chunks after the text, one even after the finish chunk.
// Passed on, the annotation was the client's first chunk (no `choices[0]`, blank id and model, the routing
// metadata on it), the trace's response id and model were blank and time to first token was the annotation's.
// The official OpenAI SDK reads an `azure-openai` provider's streams from the mock's Azure data plane, which
// sends those annotations as Azure does; the spans are exported to a local OTLP collector.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import OpenAI from "openai";
import type { ChatCompletionChunk } from "openai/resources/chat/completions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, TENANT_KEY, testConfigYaml, type Harness } from "./harness";

const configYaml = (url: string, collectorUrl: string) =>
  testConfigYaml(url, `tracing: { otlp_endpoint: ${collectorUrl}, service_name: runestone-test }`)
    .replace("providers:\n", `providers:\n  azure:\n    type: azure-openai\n    base_url: ${url}\n    api_key: azure-key-0123456789abcdef\n`)
    .replace("models:\n", "models:\n  az-chat:\n    capabilities: [chat, streaming]\n    deployments: [{ provider: azure, model: my-gpt-deploy }]\n");

type OtlpValue = { stringValue?: string; intValue?: number | string; doubleValue?: number; boolValue?: boolean; arrayValue?: { values: OtlpValue[] } };
type SpanAttrs = Record<string, unknown>;
const valueOf = (v: OtlpValue): unknown =>
  v.arrayValue ? v.arrayValue.values.map(valueOf) : (v.stringValue ?? (v.intValue !== undefined ? Number(v.intValue) : (v.doubleValue ?? v.boolValue)));

/** What one streamed request gave the client, and its request id (to find its span). */
interface Streamed {
  chunks: ChatCompletionChunk[];
  requestId: string;
}

const CHUNK_DELAY_MS = 120;
let collector: Server;
let h: Harness;
const bodies: string[] = [];
let withUsage: Streamed;
let asyncFilter: Streamed;
let serverSpans: SpanAttrs[] = [];

async function stream(client: OpenAI, includeUsage: boolean): Promise<Streamed> {
  const { data, response } = await client.chat.completions
    .create({ model: "az-chat", messages: [{ role: "user", content: "what is color" }], stream: true, ...(includeUsage && { stream_options: { include_usage: true } }) })
    .withResponse();
  const chunks: ChatCompletionChunk[] = [];
  for await (const c of data) chunks.push(c);
  return { chunks, requestId: response.headers.get("x-request-id")! };
}

beforeAll(async () => {
  collector = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on("data", (c: Buffer) => parts.push(c));
    req.on("end", () => {
      bodies.push(Buffer.concat(parts).toString("utf8"));
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((r) => collector.listen(0, "127.0.0.1", r));
  const collectorUrl = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
  h = await startHarness({ configYaml: (u) => configYaml(u, collectorUrl) });
  const client = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: TENANT_KEY, maxRetries: 0 });

  withUsage = await stream(client, true);
  // The Asynchronous Filter, slowed: the prompt's annotation comes at once, the first completion chunk a delay later.
  h.upstream.behave({ asyncFilter: true, chunkDelayMs: CHUNK_DELAY_MS }, { times: 1 });
  asyncFilter = await stream(client, false);
  await h.close(); // flushes the spans to the collector

  for (const body of bodies) {
    const doc = JSON.parse(body) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<{ kind: number; attributes: Array<{ key: string; value: OtlpValue }> }> }> }> };
    for (const rs of doc.resourceSpans)
      for (const ss of rs.scopeSpans)
        for (const s of ss.spans) if (s.kind === 2) serverSpans.push(Object.fromEntries(s.attributes.map((a) => [a.key, valueOf(a.value)])));
  }
}, 30_000);

afterAll(async () => {
  await new Promise<void>((r) => collector.close(() => r()));
});

const spanOf = (s: Streamed) => serverSpans.find((a) => a["runestone.request_id"] === s.requestId)!;
const textOf = (s: Streamed) => s.chunks.map((c) => c.choices[0]?.delta.content ?? "").join("");

describe("an Azure OpenAI stream through the gateway, to the official OpenAI SDK", () => {
  it("gives the client only completion chunks: each with the completion's id and object, the first with the role and Runestone's metadata", () => {
    for (const s of [withUsage, asyncFilter]) {
      expect(s.chunks.length).toBeGreaterThan(2);
      for (const c of s.chunks) {
        expect(c.id).toMatch(/^chatcmpl-/);
        expect(c.object).toBe("chat.completion.chunk");
        expect(c.model).toBe("my-gpt-deploy");
        expect(c.created).toBeGreaterThan(0);
        expect(c).not.toHaveProperty("prompt_filter_results");
      }
      expect(new Set(s.chunks.map((c) => c.id)).size).toBe(1);
      const first = s.chunks[0]!;
      expect(first.choices[0]!.delta.role).toBe("assistant");
      expect(first).toMatchObject({ provider: "azure", routing_policy: "default", request_id: s.requestId });
    }
  });

  it("streams the whole text, every chunk but the usage chunk with its choice, and the usage chunk last when asked for", () => {
    expect(textOf(withUsage)).toBe("echo: what is color");
    expect(withUsage.chunks.slice(0, -1).every((c) => c.choices[0] !== undefined)).toBe(true);
    expect(withUsage.chunks.at(-2)!.choices[0]!.finish_reason).toBe("stop");
    const last = withUsage.chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage).toMatchObject({ prompt_tokens: 6, completion_tokens: 4, total_tokens: 10 });
  });

  it("drops the Asynchronous Filter's annotations, even the one after the finish chunk", () => {
    expect(textOf(asyncFilter)).toBe("echo: what is color");
    expect(asyncFilter.chunks.every((c) => c.choices[0] !== undefined)).toBe(true);
    expect(asyncFilter.chunks.at(-1)!.choices[0]!.finish_reason).toBe("stop");
    expect(asyncFilter.chunks.filter((c) => c.choices[0]!.finish_reason)).toHaveLength(1);
  });

  it("records the completion's own id and model, and the time to its first chunk, not the annotation's", () => {
    for (const s of [withUsage, asyncFilter]) {
      const span = spanOf(s);
      expect(span).toMatchObject({ "gen_ai.response.id": s.chunks[0]!.id, "gen_ai.response.model": "my-gpt-deploy", "gen_ai.response.finish_reasons": ["stop"], "runestone.stream": true });
    }
    expect(spanOf(asyncFilter)["runestone.ttft_ms"]).toBeGreaterThanOrEqual(CHUNK_DELAY_MS * 0.9);
  });
});
