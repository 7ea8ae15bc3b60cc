import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startMockUpstream, type MockUpstream } from "../index.js";
import { parseSse, post } from "../testing/http.js";

let mock: MockUpstream;
beforeAll(async () => {
  mock = await startMockUpstream();
});
afterAll(() => mock.close());
beforeEach(() => mock.reset());

const url = () => `${mock.url}/v1/responses`;
const weather = { type: "function", name: "get_weather", parameters: { type: "object", properties: { input: { type: "string" } } } };

describe("the Responses API route", () => {
  it("answers a text input with a completed response: one message item and word-count usage", async () => {
    const res = await post(url(), { model: "gpt-4o-mini", instructions: "be brief", input: "hello big world" });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ object: "response", status: "completed", model: "gpt-4o-mini", instructions: "be brief", incomplete_details: null });
    expect(body.id).toMatch(/^resp_/);
    expect(body.output).toEqual([
      { id: expect.stringMatching(/^msg_/), type: "message", status: "completed", role: "assistant", content: [{ type: "output_text", text: "echo: hello big world", annotations: [], logprobs: [] }] },
    ]);
    // instructions: 2 words + 3, input: 3 words + 3; output: 4 words.
    expect(body.usage).toEqual({ input_tokens: 11, input_tokens_details: { cached_tokens: 0 }, output_tokens: 4, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 15 });
  });

  it("calls the first function tool, and answers in text once the function's output is the last item", async () => {
    const first = await (await post(url(), { model: "m", tools: [weather], input: [{ role: "user", content: [{ type: "input_text", text: "Paris" }] }] })).json();
    expect(first.output).toEqual([{ id: expect.stringMatching(/^fc_/), type: "function_call", status: "completed", arguments: '{"input":"Paris"}', call_id: expect.stringMatching(/^call_/), name: "get_weather" }]);
    const call = first.output[0];
    const second = await (
      await post(url(), {
        model: "m",
        tools: [weather],
        input: [{ role: "user", content: "Paris" }, { type: "function_call", call_id: call.call_id, name: call.name, arguments: call.arguments }, { type: "function_call_output", call_id: call.call_id, output: "18C" }],
      })
    ).json();
    expect(second.output[0].content[0].text).toBe("echo: Paris");
  });

  it("is incomplete with reason max_output_tokens when the reply is cut by max_output_tokens", async () => {
    const body = await (await post(url(), { model: "m", input: "one two three four", max_output_tokens: 2 })).json();
    expect(body.status).toBe("incomplete");
    expect(body.incomplete_details).toEqual({ reason: "max_output_tokens" });
    expect(body.output[0].content[0].text).toBe("echo: one");
  });

  it("streams named events with increasing sequence numbers, ending with response.completed", async () => {
    const res = await post(url(), { model: "m", input: "hi there", stream: true });
    expect(res.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    const events = parseSse(await res.text());
    const data = events.map((e) => JSON.parse(e.data));
    expect(events.map((e) => e.event)).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
      "response.output_text.delta",
      "response.output_text.delta",
      "response.output_text.delta",
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.completed",
    ]);
    expect(data.map((d) => d.sequence_number)).toEqual(data.map((_, i) => i));
    expect(data.filter((d) => d.type === "response.output_text.delta").map((d) => d.delta).join("")).toBe("echo: hi there");
    expect(data.at(-1).response).toMatchObject({ status: "completed", usage: { input_tokens: 5, output_tokens: 3, total_tokens: 8 } });
  });

  it("streams a function call's arguments in fragments", async () => {
    const events = parseSse(await (await post(url(), { model: "m", input: "Paris", tools: [weather], stream: true })).text()).map((e) => JSON.parse(e.data));
    const deltas = events.filter((d) => d.type === "response.function_call_arguments.delta").map((d) => d.delta);
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join("")).toBe('{"input":"Paris"}');
    // The openai SDK's ResponseFunctionCallArgumentsDoneEvent requires the function's name.
    expect(events.find((d) => d.type === "response.function_call_arguments.done")).toMatchObject({ name: "get_weather", arguments: '{"input":"Paris"}' });
    expect(events.find((d) => d.type === "response.output_item.added").item).toMatchObject({ type: "function_call", name: "get_weather", arguments: "" });
  });

  it("ends a mid-stream failure with an error event and no response.completed", async () => {
    const events = parseSse(await (await post(url(), { model: "m::midStreamError=1", input: "a b c", stream: true })).text());
    expect(events.at(-1)!.event).toBe("error");
    expect(JSON.parse(events.at(-1)!.data)).toMatchObject({ type: "error", code: "server_error" });
    expect(events.some((e) => e.event === "response.completed")).toBe(false);
  });

  it("answers an error status in OpenAI's shape", async () => {
    const res = await post(url(), { model: "m::status=503", input: "x" });
    expect(res.status).toBe(503);
    expect((await res.json()).error.type).toBeTruthy();
  });
});
