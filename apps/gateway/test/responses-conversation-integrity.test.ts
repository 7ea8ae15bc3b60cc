// A stored conversation stays bounded and whole, through a real gateway (SQLite state) and the mock upstream:
// past responses.max_conversation_bytes a continuation is a 400 conversation_too_long before any upstream call
// (each turn alone is under max_stored_bytes, the chain is not); an OpenAI answer whose id is already stored for
// the tenant (the response it continues, or any other) is a 502 upstream_protocol_error and replaces nothing, so
// the conversation can still be continued and listed.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { postJson, startHarness, TENANT_KEY, type Harness } from "./harness";
import { responsesConfigYaml } from "./responses-test-config";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ configYaml: (u) => responsesConfigYaml(u).replace("server: {", "responses: { max_stored_bytes: 1000000, max_conversation_bytes: 2000000 }\nserver: {") });
});
afterAll(() => h.close());
beforeEach(() => h.upstream.reset());

const post = async (body: unknown) => {
  const res = await postJson(`${h.url}/v1/responses`, body);
  const text = await res.text();
  let json: { id?: string; error?: { code?: string; param?: string } } | undefined;
  try {
    json = JSON.parse(text) as typeof json;
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json };
};
const inputItems = async (id: string) => {
  const res = await fetch(`${h.url}/v1/responses/${id}/input_items?order=asc&limit=100`, { headers: { authorization: `Bearer ${TENANT_KEY}` } });
  return { status: res.status, body: (await res.json()) as { data?: Array<{ content?: unknown }> } };
};
const answerWithId = (id: string) => JSON.stringify({ id, object: "response", status: "completed", model: "gpt-4o-mini", output: [{ type: "message", id: "msg_up", role: "assistant", status: "completed", content: [{ type: "output_text", text: "x", annotations: [] }] }], usage: null });

describe("a conversation's total size", () => {
  it("is bounded by responses.max_conversation_bytes: 400 conversation_too_long, nothing sent upstream", async () => {
    const big = "y".repeat(300_000);
    let prev: string | undefined;
    const statuses: number[] = [];
    let refused: Awaited<ReturnType<typeof post>> | undefined;
    for (let turn = 0; turn < 6 && !refused; turn++) {
      h.upstream.reset();
      const r = await post({ model: "gpt-4o-mini", input: big, ...(prev ? { previous_response_id: prev } : {}) });
      statuses.push(r.status);
      if (r.status !== 200) refused = r;
      else prev = r.json!.id;
    }
    // Turns of ~600 KB (the input, and the mock upstream echoes it): the 5th continues ~2.4 MB, over the 2 MB bound.
    expect(statuses).toEqual([200, 200, 200, 200, 400]);
    expect(refused!.json!.error).toMatchObject({ code: "conversation_too_long", param: "previous_response_id" });
    expect(refused!.text).not.toContain("yyyy");
    expect(h.upstream.requests).toHaveLength(0);
  }, 60_000);
});

describe("an OpenAI answer reusing a stored id", () => {
  it("that of the response it continues: 502, and the conversation is still whole", async () => {
    const first = await post({ model: "gpt-4o-mini", input: "hello" });
    expect(first.status).toBe(200);
    const id = first.json!.id!;
    h.upstream.behave({ rawBody: answerWithId(id) }, { times: 1 });
    const looped = await post({ model: "gpt-4o-mini", input: "again", previous_response_id: id });
    expect(looped.status).toBe(502);
    expect(looped.json!.error!.code).toBe("upstream_protocol_error");
    // Not stored over the first turn: it is continued and listed as it was.
    const next = await post({ model: "gpt-4o-mini", input: "third", previous_response_id: id });
    expect(next.status).toBe(200);
    const items = await inputItems(id);
    expect(items.status).toBe(200);
    expect(JSON.stringify(items.body.data)).toContain("hello");
    expect(JSON.stringify(items.body.data)).not.toContain("again");
  });

  it("another stored response's: 502, and that response is not replaced", async () => {
    const earlier = await post({ model: "gpt-4o-mini", input: "keep me" });
    expect(earlier.status).toBe(200);
    h.upstream.behave({ rawBody: answerWithId(earlier.json!.id!) }, { times: 1 });
    const reused = await post({ model: "gpt-4o-mini", input: "replace it" });
    expect(reused.status).toBe(502);
    expect(reused.json!.error!.code).toBe("upstream_protocol_error");
    const items = await inputItems(earlier.json!.id!);
    expect(JSON.stringify(items.body.data)).toContain("keep me");
    expect(JSON.stringify(items.body.data)).not.toContain("replace it");
  });

  it("in a stream: ends with an error event instead of response.completed, nothing stored", async () => {
    const first = await post({ model: "gpt-4o-mini", input: "hello" });
    const id = first.json!.id!;
    const completed = JSON.parse(answerWithId(id)) as Record<string, unknown>;
    const created = { ...completed, id, status: "in_progress", output: [] };
    const sse = `event: response.created\ndata: ${JSON.stringify({ type: "response.created", sequence_number: 0, response: created })}\n\nevent: response.completed\ndata: ${JSON.stringify({ type: "response.completed", sequence_number: 1, response: completed })}\n\n`;
    h.upstream.behave({ rawBody: sse }, { times: 1 });
    const res = await postJson(`${h.url}/v1/responses`, { model: "gpt-4o-mini", input: "again", previous_response_id: id, stream: true });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain("event: response.completed");
    expect(text).toMatch(/event: error\ndata: .*"upstream_protocol_error"/);
    const next = await post({ model: "gpt-4o-mini", input: "third", previous_response_id: id });
    expect(next.status).toBe(200);
  });
});
