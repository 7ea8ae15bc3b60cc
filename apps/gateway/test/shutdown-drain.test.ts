// Graceful shutdown as a load balancer sees it: during the drain the listener stays open, so the
// readiness probe answers 503 draining (it used to be unobservable: the listener closed at once),
// new model calls get 503 with Retry-After and Connection: close, idle keep-alive connections are
// closed, and the request in flight finishes; then the port is closed.
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorOf, postJson, startHarness, type Harness } from "./harness";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

async function until(what: string, check: () => boolean, withinMs = 10_000): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A raw keep-alive connection that has had one answer and now sits idle; resolves `closed` when the server closes it. */
async function idleKeepAlive(port: number): Promise<{ closed: Promise<void> }> {
  const socket = connect(port, "127.0.0.1");
  let received = "";
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  socket.on("data", (b) => (received += b));
  socket.write("GET /health/live HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n");
  await until("the keep-alive answer", () => received.includes("\r\n\r\n") && received.includes("}"));
  expect(received).toMatch(/^HTTP\/1\.1 200/);
  return { closed };
}

describe("draining after SIGTERM", () => {
  it("answers probes 503 draining and refuses new model calls while the in-flight request finishes, then closes the port", async () => {
    const idle = await idleKeepAlive(h.gateway.port);
    h.upstream.behave({ latencyMs: 1_500 }, { times: 1 });
    const inFlight = postJson(`${h.url}/v1/chat/completions`, { model: "gpt-4o-mini", messages: [{ role: "user", content: "slow one" }] });
    await until("the slow request to reach the upstream", () => h.upstream.requests.length === 1);

    const closed = h.gateway.close();

    const ready = await fetch(`${h.url}/health/ready`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { status: string }).status).toBe("draining");
    expect(ready.headers.get("connection")).toBe("close");

    const refused = await postJson(`${h.url}/v1/chat/completions`, { model: "gpt-4o-mini", messages: [{ role: "user", content: "new" }] });
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toBe("1");
    expect(refused.headers.get("connection")).toBe("close");
    expect(await errorOf(refused)).toMatchObject({ type: "overloaded_error", code: "draining" });
    expect(h.upstream.requests).toHaveLength(1);

    await idle.closed; // the idle keep-alive connection was closed, not left to its 65 s timeout

    const answer = await inFlight;
    expect(answer.status).toBe(200);
    expect(((await answer.json()) as { choices: { message: { content: string } }[] }).choices[0]!.message.content).toBe("echo: slow one");
    await closed;
    await expect(fetch(`${h.url}/health/live`)).rejects.toThrow();
  });
});
