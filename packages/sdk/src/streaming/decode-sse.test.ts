import { describe, expect, it } from "vitest";
import { decodeSSE, type ServerSentEvent } from "./decode-sse";

function bytes(...chunks: (string | Uint8Array)[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(typeof chunk === "string" ? encoder.encode(chunk) : chunk);
      controller.close();
    },
  });
}

async function collect(stream: ReadableStream<Uint8Array>): Promise<ServerSentEvent[]> {
  const events: ServerSentEvent[] = [];
  for await (const event of decodeSSE(stream)) events.push(event);
  return events;
}

const data = (events: ServerSentEvent[]) => events.map((e) => e.data);

describe("decodeSSE", () => {
  it("splits events on blank lines", async () => {
    expect(data(await collect(bytes("data: a\n\ndata: b\n\n")))).toEqual(["a", "b"]);
  });

  it("reassembles events split across chunks, even mid-line", async () => {
    expect(data(await collect(bytes("da", "ta: {\"x\":", "1}\n", "\ndata: [DO", "NE]\n\n")))).toEqual([
      '{"x":1}',
      "[DONE]",
    ]);
  });

  it("accepts \\r\\n and \\r line endings, also when \\r and \\n arrive in different chunks", async () => {
    expect(data(await collect(bytes("data: a\r\n\r\ndata: b\r", "\n\r", "\ndata: c\r\rdata: d\r\r")))).toEqual([
      "a",
      "b",
      "c",
      "d",
    ]);
  });

  it("decodes a multi-byte character split across chunks", async () => {
    const euro = new TextEncoder().encode("data: 5 €\n\n");
    expect(data(await collect(bytes(euro.slice(0, 9), euro.slice(9))))).toEqual(["5 €"]);
  });

  it("ignores comments and keep-alives, and joins multi-line data with \\n", async () => {
    expect(data(await collect(bytes(": keep-alive\n\n:ping\ndata: one\ndata:two\n\n")))).toEqual(["one\ntwo"]);
  });

  it("reads the event and id fields and strips a byte order mark", async () => {
    const events = await collect(bytes("\uFEFFevent: error\nid: 7\ndata: x\n\n"));
    expect(events).toEqual([{ event: "error", id: "7", data: "x" }]);
  });

  it("dispatches a last complete event without its blank line but drops a half line", async () => {
    expect(data(await collect(bytes("data: a\n\ndata: [DONE]\n")))).toEqual(["a", "[DONE]"]);
    expect(data(await collect(bytes("data: a\n\ndata: {\"trunc")))).toEqual(["a"]);
  });

  it("cancels the byte stream when the consumer stops early", async () => {
    let cancelled = false;
    const source = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(new TextEncoder().encode("data: tick\n\n"));
      },
      cancel() {
        cancelled = true;
      },
    });
    for await (const event of decodeSSE(source)) {
      expect(event.data).toBe("tick");
      break;
    }
    expect(cancelled).toBe(true);
  });
});
