// Golden tests of the Responses API translation both ways, for providers without the Responses API:
// request -> chat request, chat completion -> response, chat chunks -> the Responses event stream.
import { describe, expect, it } from "vitest";
import type { ChatCompletion } from "../../core/provider-contract";
import { HttpError } from "../../core/http-error";
import { convertToChatRequest } from "./convert-to-chat-request";
import { convertToResponse } from "./convert-to-response";
import { counterIds, decodeChunks, loadJson, readFixture, shellFor, translateChunks, type RequestCase } from "./__fixtures__/fixtures";
import type { ResponsesBody } from "./responses-types";

const body = (b: Record<string, unknown>) => ({ model: "m", ...b }) as ResponsesBody;

function refusal(b: Record<string, unknown>): HttpError {
  try {
    convertToChatRequest(body(b));
  } catch (err) {
    expect(err).toBeInstanceOf(HttpError);
    return err as HttpError;
  }
  throw new Error("the request was translated");
}

describe("a Responses request translated to chat", () => {
  it.each(["full-conversation", "text-input"])("matches the golden chat request: %s", (name) => {
    const c = loadJson<RequestCase>(`${name}.case.json`);
    expect(convertToChatRequest(c.responses)).toStrictEqual(c.chat);
  });

  it("refuses a built-in tool with a 400 naming its type", () => {
    const err = refusal({ input: "hi", tools: [{ type: "function", name: "f" }, { type: "web_search" }] });
    expect(err.status).toBe(400);
    expect(err.param).toBe("tools.1.type");
    expect(err.message).toContain("web_search");
  });

  it("refuses input it cannot express in chat, naming the item or part", () => {
    expect(refusal({ input: [{ type: "item_reference", id: "x" }] }).param).toBe("input.0.type");
    expect(refusal({ input: [{ role: "user", content: [{ type: "input_image", file_id: "file_1" }] }] }).param).toBe("input.0.content.0.image_url");
    expect(refusal({ input: [{ role: "user", content: [{ type: "input_file", file_url: "https://x/y.pdf" }] }] }).param).toBe("input.0.content.0.file_data");
    expect(refusal({ input: "x", tool_choice: { type: "web_search" } }).param).toBe("tool_choice.type");
    expect(refusal({ input: "x", text: { format: { type: "grammar" } } }).param).toBe("text.format.type");
  });

  it("maps a named allowed_tools choice and json_object", () => {
    const chat = convertToChatRequest(body({ input: "x", tool_choice: { type: "allowed_tools", mode: "required", tools: [{ type: "function", name: "f" }] }, text: { format: { type: "json_object" } } }));
    expect(chat.tool_choice).toStrictEqual({ type: "allowed_tools", allowed_tools: { mode: "required", tools: [{ type: "function", function: { name: "f" } }] } });
    expect(chat.response_format).toStrictEqual({ type: "json_object" });
  });
});

describe("a chat completion translated to a response", () => {
  it.each(["text-and-tool-call", "reasoning-length"])("matches the golden response: %s", (name) => {
    const ids = counterIds();
    const response = convertToResponse(loadJson<ChatCompletion>(`${name}.completion.json`), shellFor(body({ model: "claude-sonnet-4-5", input: "x" }), ids), ids);
    expect(response).toStrictEqual(loadJson(`${name}.response.json`));
  });

  it("is incomplete for content_filter, with a refusal as the message's part", () => {
    const ids = counterIds();
    const completion = { id: "c", object: "chat.completion", created: 1, model: "m", choices: [{ index: 0, message: { role: "assistant", content: null, refusal: "I can't." }, finish_reason: "content_filter", logprobs: null }] } as unknown as ChatCompletion;
    const r = convertToResponse(completion, shellFor(body({ input: "x" }), ids), ids);
    expect(r.status).toBe("incomplete");
    expect(r.incomplete_details).toStrictEqual({ reason: "content_filter" });
    expect(r.output).toStrictEqual([{ id: "msg_2", type: "message", status: "incomplete", role: "assistant", content: [{ type: "refusal", refusal: "I can't." }] }]);
    expect(r.usage).toBeNull();
  });
});

describe("a chat stream translated to Responses events", () => {
  it.each(["text-and-tool-call", "text-cut-by-length"])("matches the golden event stream: %s", (name) => {
    const events = translateChunks(decodeChunks(readFixture(`${name}.chunks.txt`)), body({ model: "claude-sonnet-4-5", input: "x" }));
    expect(events).toBe(readFixture(`${name}.events.txt`));
  });

  it("numbers every event in order from 0", () => {
    const text = translateChunks(decodeChunks(readFixture("text-and-tool-call.chunks.txt")), body({ input: "x" }));
    const seqs = [...text.matchAll(/"sequence_number":(\d+)/g)].map((m) => Number(m[1]));
    expect(seqs).toStrictEqual(seqs.map((_, i) => i));
  });

  it("ends a stream whose upstream broke mid-way with response.failed: open items incomplete, the output so far, no usage", () => {
    // Cut inside the second tool call's arguments.
    const chunks = decodeChunks(readFixture("text-and-tool-call.chunks.txt")).slice(0, 8);
    const text = translateChunks(chunks, body({ model: "claude-sonnet-4-5", input: "x" }), { code: "upstream_error", message: "The upstream stream ended early." });
    expect(text).toBe(readFixture("text-and-tool-call-cut.events.txt"));
  });

  it("reports the estimates when the upstream sent no usage", () => {
    const chunks = decodeChunks(readFixture("text-cut-by-length.chunks.txt"));
    const last = translateChunks(chunks, body({ input: "x" })).trim().split("\n\n").at(-1)!;
    const data = JSON.parse(last.split("\ndata: ")[1]!) as { response: { usage: unknown } };
    // "echo: one" is 9 characters: 3 tokens; the prompt estimate given is 7.
    expect(data.response.usage).toMatchObject({ input_tokens: 7, output_tokens: 3, total_tokens: 10 });
  });
});
