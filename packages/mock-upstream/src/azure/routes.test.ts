import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startMockUpstream, type MockUpstream } from "../index.js";
import { parseSse, post } from "../testing/http.js";
import { PROMPT_FILTER_RESULTS, SAFE_FILTER_RESULTS } from "./content-filter.js";

let mock: MockUpstream;
beforeAll(async () => {
  mock = await startMockUpstream();
});
afterAll(() => mock.close());
beforeEach(() => mock.reset());

const chatPath = "/openai/deployments/dep-1/chat/completions";
const body = { messages: [{ role: "user", content: "a b" }] };

describe("Azure OpenAI deployment routes", () => {
  it("answer chat with OpenAI's reply and record the query and the api-key header", async () => {
    const res = await post(`${mock.url}${chatPath}?api-version=2024-10-21`, body, { "api-key": "k1" });
    expect(res.status).toBe(200);
    expect((await res.json()).choices[0].message.content).toBe("echo: a b");
    expect(mock.requests[0]).toMatchObject({ path: chatPath, url: `${chatPath}?api-version=2024-10-21`, headers: { "api-key": "k1" } });
  });

  it("annotate a chat answer with the prompt's and each choice's content filter results", async () => {
    const res = await post(`${mock.url}${chatPath}?api-version=2024-10-21`, body, { "api-key": "k1" });
    const json = await res.json();
    expect(json.prompt_filter_results).toEqual(PROMPT_FILTER_RESULTS);
    expect(json.choices[0]).toMatchObject({ content_filter_results: SAFE_FILTER_RESULTS, message: { content: "echo: a b" }, finish_reason: "stop" });
  });

  it("stream the prompt's annotation first, then chunks whose choices carry their filter results", async () => {
    const res = await post(`${mock.url}${chatPath}?api-version=2024-10-21`, { ...body, stream: true, stream_options: { include_usage: true } }, { "api-key": "k1" });
    const events = parseSse(await res.text());
    expect(events.at(-1)).toEqual({ data: "[DONE]" });
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e.data));
    expect(chunks[0]).toEqual({ id: "", object: "", created: 0, model: "", prompt_filter_results: PROMPT_FILTER_RESULTS, choices: [], usage: null });
    const completion = chunks.slice(1, -1);
    for (const c of completion) expect(c).toMatchObject({ id: expect.stringMatching(/^chatcmpl-/), object: "chat.completion.chunk", model: "dep-1" });
    expect(completion[0].choices[0]).toMatchObject({ content_filter_results: {}, delta: { role: "assistant" } });
    expect(completion.slice(1, -1).map((c) => c.choices[0].content_filter_results)).toEqual([SAFE_FILTER_RESULTS, SAFE_FILTER_RESULTS, SAFE_FILTER_RESULTS]);
    expect(completion.map((c) => c.choices[0].delta.content ?? "").join("")).toBe("echo: a b");
    expect(completion.at(-1).choices[0]).toMatchObject({ content_filter_results: {}, delta: {}, finish_reason: "stop" });
    expect(chunks.at(-1)).toMatchObject({ id: completion[0].id, choices: [], usage: { completion_tokens: 3 } });
  });

  it("refuse stream_options before api-version 2024-09-01, as Azure does, and take it from then on", async () => {
    const streamed = { ...body, stream: true, stream_options: { include_usage: true } };
    for (const version of ["2024-06-01", "2024-05-01-preview", "2024-08-01-preview"]) {
      const res = await post(`${mock.url}${chatPath}?api-version=${version}`, streamed, { "api-key": "k1" });
      expect(res.status, version).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message).toBe("Unrecognized request argument supplied: stream_options");
    }
    for (const version of ["2024-06-01", "2024-09-01-preview", "2024-10-21"]) {
      const ok = await post(`${mock.url}${chatPath}?api-version=${version}`, version === "2024-06-01" ? { ...body, stream: true } : streamed, { "api-key": "k1" });
      expect(ok.status, version).toBe(200);
      await ok.text();
    }
  });

  it("stream as the Asynchronous Filter with asyncFilter: bare chunks, annotation-only chunks after the text and after the finish", async () => {
    const res = await post(`${mock.url}${chatPath}?api-version=2024-10-21`, { ...body, model: "dep-1::asyncFilter", stream: true }, { "api-key": "k1" });
    const chunks = parseSse(await res.text()).slice(0, -1).map((e) => JSON.parse(e.data));
    const annotation = (check: number) => ({
      id: "",
      object: "",
      created: 0,
      model: "",
      choices: [{ index: 0, finish_reason: null, content_filter_results: SAFE_FILTER_RESULTS, content_filter_offsets: { check_offset: check, start_offset: 3, end_offset: check } }],
      usage: null,
    });
    expect(chunks[0].prompt_filter_results).toEqual(PROMPT_FILTER_RESULTS);
    expect(chunks.at(-3)).toEqual(annotation(3 + "echo: a b".length));
    expect(chunks.at(-2).choices[0]).toMatchObject({ delta: {}, finish_reason: "stop" });
    expect(chunks.at(-1)).toEqual(annotation(3 + "echo: a b".length));
    const completion = chunks.slice(1, -3);
    for (const c of completion) expect(c.choices[0]).not.toHaveProperty("content_filter_results");
    expect(completion.map((c) => c.choices[0].delta.content ?? "").join("")).toBe("echo: a b");
  });

  it("stream plain OpenAI chunks on the OpenAI route, without annotations", async () => {
    const res = await post(`${mock.url}/v1/chat/completions`, { ...body, model: "gpt-4o", stream: true });
    const text = await res.text();
    expect(text).not.toContain("filter");
    expect(JSON.parse(parseSse(text)[0]!.data).id).toMatch(/^chatcmpl-/);
  });

  it("answer embeddings at the deployment's embeddings path", async () => {
    const res = await post(`${mock.url}/openai/deployments/emb/embeddings?api-version=2024-10-21`, { input: "hi" }, { "api-key": "k1" });
    expect(res.status).toBe(200);
    expect((await res.json()).data[0].embedding).toHaveLength(8);
  });

  it("refuse a call without api-version (404) or without api-key (401), as Azure does", async () => {
    const noVersion = await post(`${mock.url}${chatPath}`, body, { "api-key": "k1" });
    expect(noVersion.status).toBe(404);
    expect((await noVersion.json()).error.code).toBe("404");
    const noKey = await post(`${mock.url}${chatPath}?api-version=2024-10-21`, body, { authorization: "Bearer k1" });
    expect(noKey.status).toBe(401);
    expect((await noKey.json()).error.code).toBe("401");
  });

  it("do not answer other deployment paths or methods", async () => {
    expect((await post(`${mock.url}/openai/deployments/dep-1/completions?api-version=1`, body, { "api-key": "k1" })).status).toBe(404);
    expect((await fetch(`${mock.url}${chatPath}?api-version=1`, { headers: { "api-key": "k1" } })).status).toBe(404);
  });
});
