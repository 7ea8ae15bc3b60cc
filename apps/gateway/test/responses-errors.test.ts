// POST /v1/responses when things go wrong, and what it accounts: bad input and untranslatable tools are 400s
// naming the field, an unknown previous_response_id a 404 that never reaches a provider, an upstream 5xx falls
// back to the next deployment (or is a 502), and a stream that breaks after it started ends with
// response.failed (translated) or OpenAI's error event (passthrough), never silently. Usage reaches the ledger.
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { errorOf, postJson, startHarness, TENANT_KEY, type Harness } from "./harness";
import { within } from "./limits-harness";
import { responsesConfigYaml } from "./responses-test-config";

let h: Harness;
let client: OpenAI;
beforeAll(async () => {
  h = await startHarness({ configYaml: responsesConfigYaml });
  client = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: TENANT_KEY, maxRetries: 0 });
});
afterAll(() => h.close());
beforeEach(() => h.upstream.reset());

const responses = (body: unknown) => postJson(`${h.url}/v1/responses`, body);
/** The SSE events of a stream, as [event name, parsed data]. */
async function events(res: Response): Promise<Array<[string, Record<string, any>]>> {
  const text = await res.text();
  return text
    .split("\n\n")
    .filter((b) => b.trim())
    .map((b) => {
      const name = /^event: (.*)$/m.exec(b)?.[1] ?? "";
      return [name, JSON.parse(/^data: (.*)$/m.exec(b)![1]!)] as [string, Record<string, any>];
    });
}

describe("client errors", () => {
  it("answers a request without input 400 in OpenAI's shape", async () => {
    const res = await responses({ model: "mock-echo" });
    const e = await errorOf(res);
    expect(res.status).toBe(400);
    expect(e.type).toBe("invalid_request_error");
  });

  it("refuses a built-in tool for a translated model with a 400 naming its type, before any upstream call", async () => {
    const res = await responses({ model: "claude-sonnet-4-5", input: "hi", tools: [{ type: "web_search" }] });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { param: string; message: string } };
    expect(body.error.param).toBe("tools.0.type");
    expect(body.error.message).toContain("web_search");
    expect(h.upstream.requests).toHaveLength(0);
  });

  it("passes a built-in tool through to an OpenAI model", async () => {
    const res = await responses({ model: "gpt-4o-mini", input: "hi", tools: [{ type: "web_search" }] });
    expect(res.status).toBe(200);
    expect(h.upstream.requests.at(-1)!.body).toMatchObject({ tools: [{ type: "web_search" }] });
  });

  it("answers an unknown model 404 model_not_found", async () => {
    const res = await responses({ model: "no-such-model", input: "hi" });
    expect(res.status).toBe(404);
    expect((await errorOf(res)).code).toBe("model_not_found");
  });

  it("answers an unknown previous_response_id 404 previous_response_not_found and never forwards it", async () => {
    const res = await responses({ model: "gpt-4o-mini", input: "hi", previous_response_id: "resp_someone_elses" });
    expect(res.status).toBe(404);
    const body = (await res.json()) as { error: { code: string; param: string; type: string } };
    expect(body.error).toMatchObject({ code: "previous_response_not_found", param: "previous_response_id", type: "not_found_error" });
    expect(h.upstream.requests).toHaveLength(0);
  });

  it("continues a stored OpenAI conversation by sending it whole, without the id", async () => {
    const first = await client.responses.create({ model: "gpt-4o-mini", input: "first question" });
    const second = await client.responses.create({ model: "gpt-4o-mini", input: "second question", previous_response_id: first.id });
    expect(second.output_text).toBe("echo: second question");
    const sent = h.upstream.requests.at(-1)!.body as { input: Array<Record<string, unknown>>; previous_response_id?: unknown };
    expect(sent).not.toHaveProperty("previous_response_id");
    expect(sent.input).toEqual([{ type: "message", role: "user", content: "first question" }, first.output[0], { type: "message", role: "user", content: "second question" }]);
  });
});

describe("upstream failures", () => {
  it("falls back from a failing OpenAI deployment to the next one (translated)", async () => {
    h.upstream.behave({ status: 500 }, { model: "gpt-primary" });
    const { data, response } = await client.responses.create({ model: "gpt-with-fallback", input: "hello" }).withResponse();
    expect(data.output_text).toBe("echo: hello");
    expect(response.headers.get("x-runestone-fallbacks")).toBe("1");
    expect(response.headers.get("x-runestone-provider")).toBe("compat");
    expect(h.upstream.requests.map((r) => r.path)).toEqual(["/v1/responses", "/v1/chat/completions"]);
  });

  it("answers 502 when the only deployment fails, for JSON and streams", async () => {
    h.upstream.behave({ status: 500 }, { model: "gpt-4o-mini-2024-07-18" });
    const res = await responses({ model: "gpt-4o-mini", input: "hello" });
    expect(res.status).toBe(502);
    expect((await errorOf(res)).type).toBe("service_error");
    const stream = await responses({ model: "gpt-4o-mini", input: "hello", stream: true });
    expect(stream.status).toBe(502);
  });

  it("ends a translated stream cut mid-way with response.failed carrying the response id and the output so far", async () => {
    h.upstream.behave({ cutAfter: 2 }, { model: "claude-sonnet-4-5-20250929" });
    const res = await responses({ model: "claude-sonnet-4-5", input: "one two three four", stream: true });
    expect(res.status).toBe(200);
    const evs = await events(res);
    const [name, data] = evs.at(-1)!;
    expect(name).toBe("response.failed");
    expect(data.response).toMatchObject({ id: evs[0]![1].response.id, status: "failed", error: { code: expect.any(String), message: expect.any(String) } });
    expect(data.sequence_number).toBe(evs.length - 1);
    const text = evs.filter(([n]) => n === "response.output_text.delta").map(([, d]) => d.delta as string).join("");
    expect(text.length).toBeGreaterThan(0);
    expect(data.response.output).toEqual([expect.objectContaining({ type: "message", status: "incomplete", content: [expect.objectContaining({ type: "output_text", text })] })]);
    // The cut item gets no .done event: the client sees it end only through response.failed.
    expect(evs.some(([n]) => n === "response.output_item.done" || n === "response.completed")).toBe(false);
  });

  it("ends a passthrough stream cut mid-way with an error event, after the events that arrived", async () => {
    h.upstream.behave({ cutAfter: 1 }, { model: "gpt-4o-mini-2024-07-18" });
    const evs = await events(await responses({ model: "gpt-4o-mini", input: "one two three", stream: true }));
    expect(evs.map(([n]) => n)).toContain("response.output_text.delta");
    const [name, data] = evs.at(-1)!;
    expect(name).toBe("error");
    expect(data).toMatchObject({ type: "error", code: expect.any(String), message: expect.any(String), sequence_number: evs.length - 1 });
  });

  it("relays the upstream's own error event, and the SDK's stream does not complete", async () => {
    h.upstream.behave({ midStreamError: 1 }, { model: "gpt-4o-mini-2024-07-18" });
    const evs = await events(await responses({ model: "gpt-4o-mini", input: "one two three", stream: true }));
    expect(evs.at(-1)![0]).toBe("error");
    expect(evs.at(-1)![1]).toMatchObject({ code: "server_error" });
  });
});

describe("accounting", () => {
  type Row = { model: string; requests: number; prompt_tokens: number; completion_tokens: number };
  const usage = async (): Promise<Map<string, Row>> => {
    const r = await fetch(`${h.url}/v1/usage?group_by=model`, { headers: { authorization: `Bearer ${TENANT_KEY}` } });
    return new Map((((await r.json()) as { data?: Row[] }).data ?? []).map((x) => [x.model, x]));
  };
  const delta = (before: Map<string, Row>, after: Map<string, Row>, model: string) => {
    const b = before.get(model) ?? { requests: 0, prompt_tokens: 0, completion_tokens: 0 };
    const a = after.get(model)!;
    return { requests: a.requests - b.requests, prompt_tokens: a.prompt_tokens - b.prompt_tokens, completion_tokens: a.completion_tokens - b.completion_tokens };
  };

  it("records the reported tokens of a passthrough call and of a translated stream in the usage ledger", async () => {
    // Earlier tests' requests may still be closing: wait until the ledger stops moving.
    let before = await usage();
    await within(3_000, async () => {
      const now = await usage();
      const same = JSON.stringify([...now]) === JSON.stringify([...before]);
      before = now;
      return same;
    }, 200);
    const a = await client.responses.create({ model: "gpt-4o-mini", input: "count these words" });
    const b = await client.responses.stream({ model: "claude-sonnet-4-5", input: "and these" }).finalResponse();
    let after = new Map<string, Row>();
    await within(3_000, async () => {
      after = await usage();
      return delta(before, after, "gpt-4o-mini").requests === 1 && (after.get("claude-sonnet-4-5")?.requests ?? 0) - (before.get("claude-sonnet-4-5")?.requests ?? 0) === 1;
    });
    expect(delta(before, after, "gpt-4o-mini")).toEqual({ requests: 1, prompt_tokens: a.usage!.input_tokens, completion_tokens: a.usage!.output_tokens });
    expect(delta(before, after, "claude-sonnet-4-5")).toEqual({ requests: 1, prompt_tokens: b.usage!.input_tokens, completion_tokens: b.usage!.output_tokens });
  });
});
