import { describe, expect, it } from "vitest";
import { RequestContext } from "../core/request-context";
import { UpstreamError } from "../core/upstream-error";
import { relayStream, type StreamEncoder } from "./relay-stream";

/** An upstream of `events` that fails with `failWith` after them (if given) and records whether it was closed. */
function upstream(events: string[], failWith?: unknown) {
  const seen = { closed: false, pulled: 0 };
  async function* gen(): AsyncGenerator<string> {
    try {
      for (const e of events) {
        seen.pulled++;
        yield e;
      }
      if (failWith !== undefined) throw failWith;
    } finally {
      seen.closed = true;
    }
  }
  const rest = gen();
  return { seen, rest };
}

function encoder(closeAfter = Infinity) {
  const out = { events: [] as Array<[string, boolean]>, ended: 0, failed: [] as unknown[] };
  const enc: StreamEncoder<string> = {
    async emit(ev, isFirst) {
      out.events.push([ev, isFirst]);
    },
    get closed() {
      return out.events.length >= closeAfter;
    },
    end: () => out.ended++,
    fail: (err) => out.failed.push(err),
  };
  return { out, enc };
}

describe("relayStream", () => {
  it("sends the first event as first, then the rest in order, ends once and closes the upstream", async () => {
    const ctx = new RequestContext();
    const { seen, rest } = upstream(["b", "c"]);
    const { out, enc } = encoder();
    await relayStream(ctx, { first: "a", rest }, enc);
    expect(out.events).toEqual([["a", true], ["b", false], ["c", false]]);
    expect(out.ended).toBe(1);
    expect(out.failed).toEqual([]);
    expect(seen.closed).toBe(true);
    expect(ctx.streamError).toBeUndefined();
    expect(ctx.streamUpstreamMs).toBeGreaterThanOrEqual(0);
  });

  it("tells a failure after the first event in-band, keeps it for the log line, and does not end normally", async () => {
    const ctx = new RequestContext();
    const boom = new UpstreamError({ kind: "connection", message: "reset" });
    const { seen, rest } = upstream(["b"], boom);
    const { out, enc } = encoder();
    await relayStream(ctx, { first: "a", rest }, enc);
    expect(out.events.map((e) => e[0])).toEqual(["a", "b"]);
    expect(out.failed).toEqual([boom]);
    expect(out.ended).toBe(0);
    expect(ctx.streamError).toBe(boom);
    expect(seen.closed).toBe(true);
  });

  it("says nothing when the client went away (aborted): no error event, no end, no stream error", async () => {
    const ctx = new RequestContext();
    const { rest } = upstream([], new UpstreamError({ kind: "aborted", message: "client went away" }));
    const { out, enc } = encoder();
    await relayStream(ctx, { first: "a", rest }, enc);
    expect(out.failed).toEqual([]);
    expect(out.ended).toBe(0);
    expect(ctx.streamError).toBeUndefined();
  });

  it("stops reading the upstream once the client side is closed, and closes the upstream", async () => {
    const ctx = new RequestContext();
    const { seen, rest } = upstream(["b", "c", "d", "e"]);
    const { out, enc } = encoder(2);
    await relayStream(ctx, { first: "a", rest }, enc);
    expect(out.events.map((e) => e[0])).toEqual(["a", "b"]);
    expect(seen.pulled).toBe(1);
    expect(seen.closed).toBe(true);
  });

  it("relays a stream without a first event (an empty answer) to its end", async () => {
    const ctx = new RequestContext();
    const { rest } = upstream([]);
    const { out, enc } = encoder();
    await relayStream(ctx, { first: undefined, rest }, enc);
    expect(out.events).toEqual([]);
    expect(out.ended).toBe(1);
  });
});
