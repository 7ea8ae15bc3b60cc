import { describe, expect, it } from "vitest";
import { APIUserAbortError } from "../errors/api-user-abort-error";
import { StreamError } from "../errors/stream-error";
import type { ChatCompletionChunk } from "../types";
import { Stream } from "./stream";

function chunk(content: string, extra: Partial<ChatCompletionChunk> = {}): string {
  const value: ChatCompletionChunk = {
    id: "chatcmpl-1",
    object: "chat.completion.chunk",
    created: 1,
    model: "m",
    choices: [{ index: 0, delta: { content }, finish_reason: null }],
    ...extra,
  };
  return `data: ${JSON.stringify(value)}\n\n`;
}

function streamOf(parts: string[], controller = new AbortController()): Stream<ChatCompletionChunk> {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      for (const part of parts) c.enqueue(encoder.encode(part));
      c.close();
    },
  });
  const response = new Response(null, { headers: { "x-request-id": "req_stream" } });
  return new Stream<ChatCompletionChunk>(body, response, controller);
}

describe("Stream", () => {
  it("yields typed chunks and ends at [DONE] without aborting", async () => {
    const controller = new AbortController();
    const stream = streamOf([chunk("Hel"), chunk("lo"), "data: [DONE]\n\n", chunk("ignored")], controller);
    const texts: string[] = [];
    for await (const c of stream) texts.push(c.choices[0]?.delta.content ?? "");
    expect(texts).toEqual(["Hel", "lo"]);
    expect(controller.signal.aborted).toBe(false);
    expect(stream.requestId).toBe("req_stream");
  });

  it("assembles the text with finalText()", async () => {
    expect(await streamOf([chunk("a "), chunk("b"), "data: [DONE]\n\n"]).finalText()).toBe("a b");
  });

  it("throws StreamError carrying the error object when an event holds an error", async () => {
    const errorEvent = `data: ${JSON.stringify({
      error: { message: "upstream failed", type: "service_error", code: "upstream_error", param: null },
    })}\n\n`;
    const seen: string[] = [];
    const failure = await (async () => {
      for await (const c of streamOf([chunk("partial"), errorEvent])) seen.push(c.choices[0]?.delta.content ?? "");
    })().catch((e: unknown) => e);
    expect(seen).toEqual(["partial"]);
    expect(failure).toBeInstanceOf(StreamError);
    const error = failure as StreamError;
    expect(error.status).toBeUndefined();
    expect(error.code).toBe("upstream_error");
    expect(error.requestId).toBe("req_stream");
    expect(error.message).toBe("upstream failed");
  });

  it("throws StreamError saying so when the stream ends without [DONE]", async () => {
    const failure = await streamOf([chunk("cut")]).finalText().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(StreamError);
    expect((failure as Error).message).toMatch(/ended without data: \[DONE\]/);
  });

  it("throws StreamError on an event that is not JSON", async () => {
    const failure = await streamOf(["data: {nope\n\n"]).finalText().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(StreamError);
    expect((failure as Error).message).toMatch(/not JSON/);
  });

  it("aborts the request when the consumer breaks out of the loop", async () => {
    const controller = new AbortController();
    for await (const c of streamOf([chunk("one"), chunk("two"), "data: [DONE]\n\n"], controller)) {
      expect(c.choices[0]?.delta.content).toBe("one");
      break;
    }
    expect(controller.signal.aborted).toBe(true);
  });

  it("can be iterated only once", async () => {
    const stream = streamOf(["data: [DONE]\n\n"]);
    await stream.finalText();
    expect(() => stream[Symbol.asyncIterator]()).toThrow(/already been consumed/);
  });

  it("turns the caller's abort into APIUserAbortError", async () => {
    const controller = new AbortController();
    const user = new AbortController();
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode(chunk("one")));
        user.signal.addEventListener("abort", () => c.error(user.signal.reason));
      },
    });
    const stream = new Stream<ChatCompletionChunk>(body, new Response(null), controller, user.signal);
    const failure = await (async () => {
      for await (const _ of stream) user.abort();
    })().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(APIUserAbortError);
  });

  it("offers the chunks as a ReadableStream", async () => {
    const readable = streamOf([chunk("x"), chunk("y"), "data: [DONE]\n\n"]).toReadableStream();
    const out: string[] = [];
    for await (const c of readable) out.push(c.choices[0]?.delta.content ?? "");
    expect(out).toEqual(["x", "y"]);
  });
});
