import { describe, expect, it } from "vitest";
import type { ChatCompletionChunk, SseEvent } from "../../core/provider-contract";
import { readFixture, transformRecording } from "./__fixtures__/fixtures";
import { createMessageStreamTransformer } from "./create-message-stream-transformer";

const types = (sse: string) => [...sse.matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);

describe("createMessageStreamTransformer (golden recordings)", () => {
  it.each(["tool-call-first", "two-tool-calls-interleaved", "text-and-tool-call", "reasoning-then-text"])("turns %s into exactly the recorded events", (name) => {
    expect(transformRecording(`${name}.chunks.txt`)).toBe(readFixture(`${name}.events.txt`));
  });
});

describe("createMessageStreamTransformer", () => {
  it("sends message_start first even when the first chunk is a tool call", () => {
    expect(types(transformRecording("tool-call-first.chunks.txt"))[0]).toBe("message_start");
  });

  it("never interleaves blocks: each block starts after the previous one stopped", () => {
    const sse = transformRecording("two-tool-calls-interleaved.chunks.txt");
    const data = [...sse.matchAll(/^data: (.*)$/gm)].map((m) => JSON.parse(m[1]!) as { type: string; index?: number });
    let open: number | undefined;
    for (const d of data) {
      if (d.type === "content_block_start") {
        expect(open).toBeUndefined();
        open = d.index;
      } else if (d.type === "content_block_delta") expect(d.index).toBe(open);
      else if (d.type === "content_block_stop") {
        expect(d.index).toBe(open);
        open = undefined;
      }
    }
  });

  it("rebuilds each call's arguments from its input_json_delta fragments", () => {
    const sse = transformRecording("two-tool-calls-interleaved.chunks.txt");
    const deltas = [...sse.matchAll(/^data: (.*)$/gm)]
      .map((m) => JSON.parse(m[1]!) as { type: string; index: number; delta?: { partial_json?: string } })
      .filter((d) => d.type === "content_block_delta");
    const args = (i: number) => deltas.filter((d) => d.index === i).map((d) => d.delta!.partial_json).join("");
    expect(JSON.parse(args(0))).toStrictEqual({ city: "Paris" });
    expect(JSON.parse(args(1))).toStrictEqual({ zone: "CET" });
  });

  it("holds a later call whose predecessor never completes its JSON until the choice finishes", () => {
    const t = createMessageStreamTransformer("m");
    const events: SseEvent[] = [];
    const sink = { enqueue: (e: SseEvent) => void events.push(e) };
    const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
      ({ id: "c", object: "chat.completion.chunk", created: 0, model: "m", choices: [{ index: 0, delta, finish_reason: finish }] }) as ChatCompletionChunk;
    t.transform(chunk({ tool_calls: [{ index: 0, id: "a", function: { name: "f", arguments: "{\"x\":" } }] }), sink);
    t.transform(chunk({ tool_calls: [{ index: 1, id: "b", function: { name: "g", arguments: "{}" } }] }), sink);
    expect(events.map((e) => e.event)).toStrictEqual(["message_start", "content_block_start", "content_block_delta"]);
    t.transform(chunk({}, "tool_calls"), sink);
    t.flush(sink);
    expect(events.map((e) => e.event)).toStrictEqual([
      "message_start",
      "content_block_start",
      "content_block_delta",
      "content_block_stop",
      "content_block_start",
      "content_block_delta",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
  });

  it("ends an empty upstream stream as a complete, empty message", () => {
    const t = createMessageStreamTransformer("m");
    const events: SseEvent[] = [];
    t.flush({ enqueue: (e) => void events.push(e) });
    expect(events.map((e) => e.event)).toStrictEqual(["message_start", "message_delta", "message_stop"]);
  });
});
