// POST /v1/responses features the gateway refuses rather than half-serves (background, conversation, prompt on a
// translated model, item references it cannot resolve for the tenant), and the OpenAI requests it must accept
// (no input with previous_response_id or prompt; retrieve's include / include_obfuscation / starting_after;
// input_items' include). Through the official openai SDK where it can send the request, raw fetch otherwise,
// against the mock upstream, asserting what reached it.
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { errorOf, OTHER_KEY, postJson, startHarness, TENANT_KEY, type Harness } from "./harness";
import { responsesConfigYaml } from "./responses-test-config";

let h: Harness;
let a: OpenAI;
let b: OpenAI;
beforeAll(async () => {
  h = await startHarness({ configYaml: (u) => `${responsesConfigYaml(u)}  - id: tenant-b\n    keys: [${OTHER_KEY}]\n` });
  a = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: TENANT_KEY, maxRetries: 0 });
  b = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: OTHER_KEY, maxRetries: 0 });
});
afterAll(() => h?.close());
beforeEach(() => h.upstream.reset());

const responsesCalls = () => h.upstream.requests.filter((r) => r.path.endsWith("/responses"));
const get = (path: string, key = TENANT_KEY) => fetch(`${h.url}${path}`, { headers: { authorization: `Bearer ${key}` } });

describe("POST /v1/responses: what the gateway refuses", () => {
  it("refuses background: true with 400 param background before any upstream call; background: false is served", async () => {
    const err = await a.responses.create({ model: "gpt-4o-mini", input: "write a long essay", background: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect(err).toMatchObject({ status: 400, type: "invalid_request_error", param: "background" });
    expect((err as Error).message).toContain("does not support background responses yet");
    expect(responsesCalls()).toHaveLength(0);
    const ok = await a.responses.create({ model: "gpt-4o-mini", input: "hi", background: false });
    expect(ok.status).toBe("completed");
  });

  it("refuses conversation (a string or an object) with 400 param conversation and forwards nothing", async () => {
    for (const conversation of ["conv_of_another_tenant", { id: "conv_of_another_tenant" }]) {
      const res = await postJson(`${h.url}/v1/responses`, { model: "gpt-4o-mini", input: "hi", conversation });
      expect(res.status).toBe(400);
      expect(await errorOf(res)).toMatchObject({ type: "invalid_request_error", param: "conversation" });
    }
    expect(h.upstream.requests).toHaveLength(0);
  });

  it("never forwards another tenant's item ids: an item_reference is resolved from the tenant's own stored conversation or refused", async () => {
    const theirs = await b.responses.create({ model: "gpt-4o-mini", input: "tenant b's secret" });
    const theirItem = theirs.output[0]!.id!;
    h.upstream.reset();
    for (const body of [
      { model: "gpt-4o-mini", input: [{ type: "item_reference", id: theirItem }, { role: "user", content: "hi" }] },
      { model: "gpt-4o-mini", input: [{ role: "user", content: "hi" }, { type: "item_reference", id: theirItem }], previous_response_id: theirs.id },
    ]) {
      const res = await postJson(`${h.url}/v1/responses`, body);
      expect([400, 404]).toContain(res.status);
    }
    const unknown = await postJson(`${h.url}/v1/responses`, { model: "gpt-4o-mini", input: [{ role: "user", content: "hi" }, { type: "item_reference", id: theirItem }] });
    expect(await errorOf(unknown)).toMatchObject({ type: "invalid_request_error", param: "input.1.id" });
    expect(h.upstream.requests).toHaveLength(0);

    // The tenant's own item, in the conversation it continues: the item itself goes upstream, never the reference.
    const mine = await a.responses.create({ model: "gpt-4o-mini", input: "my question" });
    const myItem = mine.output[0]!;
    await a.responses.create({ model: "gpt-4o-mini", previous_response_id: mine.id, input: [{ type: "item_reference", id: myItem.id! }, { role: "user", content: "again" }] });
    const sent = JSON.stringify(responsesCalls().at(-1)!.body);
    expect(sent).not.toContain("item_reference");
    expect((responsesCalls().at(-1)!.body as { input: unknown[] }).input.filter((i) => JSON.stringify(i) === JSON.stringify(myItem))).toHaveLength(2);
  });

  it("refuses prompt for a translated model with 400 param prompt, and forwards it to an OpenAI model", async () => {
    const res = await postJson(`${h.url}/v1/responses`, { model: "claude-sonnet-4-5", prompt: { id: "pmpt_1" } });
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toMatchObject({ type: "invalid_request_error", param: "prompt" });
    expect(h.upstream.requests).toHaveLength(0);
    const ok = await postJson(`${h.url}/v1/responses`, { model: "gpt-4o-mini", prompt: { id: "pmpt_1", variables: { city: "Paris" } } });
    expect(ok.status).toBe(200);
    expect(responsesCalls().at(-1)!.body).toMatchObject({ prompt: { id: "pmpt_1", variables: { city: "Paris" } } });
  });
});

describe("POST /v1/responses without input", () => {
  it("continues a stored conversation with no new input, on a translated model and on OpenAI", async () => {
    const first = await a.responses.create({ model: "mock-echo", input: "hello there" });
    const res = await postJson(`${h.url}/v1/responses`, { model: "mock-echo", previous_response_id: first.id });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { status: string }).status).toBe("completed");
    const second = await postJson(`${h.url}/v1/responses`, { model: "gpt-4o-mini", previous_response_id: first.id });
    expect(second.status).toBe(200);
    expect((responsesCalls().at(-1)!.body as { input: unknown[] }).input).toHaveLength(2);
  });

  it("answers 400 param input from the gateway when there is no input, previous_response_id or prompt", async () => {
    for (const model of ["mock-echo", "gpt-4o-mini"]) {
      const res = await postJson(`${h.url}/v1/responses`, { model });
      expect(res.status).toBe(400);
      expect(await errorOf(res)).toMatchObject({ type: "invalid_request_error", param: "input", code: "missing_required_parameter" });
    }
    expect(h.upstream.requests).toHaveLength(0);
  });
});

describe("GET /v1/responses/{id} and input_items with OpenAI's query parameters", () => {
  it("answers the stored response with include, include_obfuscation and starting_after (SDK and raw)", async () => {
    const r = await a.responses.create({ model: "mock-echo", input: "hi" });
    expect((await a.responses.retrieve(r.id, { include: ["message.output_text.logprobs"] })).id).toBe(r.id);
    for (const q of ["include[]=message.output_text.logprobs&include[]=reasoning.encrypted_content", "include=message.output_text.logprobs", "include_obfuscation=false&starting_after=3", "stream=false"]) {
      const res = await get(`/v1/responses/${r.id}?${q}`);
      expect(res.status, q).toBe(200);
      expect(((await res.json()) as { id: string }).id).toBe(r.id);
    }
  });

  it("refuses stream=true with a 400 that says replaying a stored stream is not supported", async () => {
    const r = await a.responses.create({ model: "mock-echo", input: "hi" });
    const res = await get(`/v1/responses/${r.id}?stream=true`);
    expect(res.status).toBe(400);
    const e = await errorOf(res);
    expect(e).toMatchObject({ type: "invalid_request_error", param: "stream" });
    expect(e.message).toContain("not supported");
  });

  it("lists input items with include (SDK and raw)", async () => {
    const r = await a.responses.create({ model: "mock-echo", input: "hi" });
    const page = await a.responses.inputItems.list(r.id, { include: ["message.input_image.image_url"] });
    expect(page.data).toHaveLength(1);
    expect((await get(`/v1/responses/${r.id}/input_items?include[]=x&include=y`)).status).toBe(200);
  });
});
