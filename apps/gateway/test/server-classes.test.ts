import { IncomingMessage, ServerResponse } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postJson, startHarness, TENANT_KEY, type Harness } from "./harness";

// The gateway's server makes its requests and responses with Express's prototypes already in place
// (http/express-born.ts), so Express's per-request Object.setPrototypeOf changes nothing.
describe("the gateway's HTTP server classes", () => {
  let h: Harness;
  const seen: [object | null, object | null][] = [];
  beforeAll(async () => {
    h = await startHarness();
    h.gateway.server.prependListener("request", (req, res) => void seen.push([Object.getPrototypeOf(req), Object.getPrototypeOf(res)]));
  });
  afterAll(() => h.close());

  it("gives every request and response the app's Express prototype before Express sees it, and answers as before", async () => {
    const a = await postJson(`${h.url}/v1/chat/completions`, { model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] });
    const b = await fetch(`${h.url}/v1/models`, { headers: { authorization: `Bearer ${TENANT_KEY}` } });
    const bad = await postJson(`${h.url}/v1/chat/completions`, { model: "gpt-4o-mini" });
    expect([a.status, b.status, bad.status]).toEqual([200, 200, 400]);
    expect(((await a.json()) as { choices: { message: { role: string } }[] }).choices[0]!.message.role).toBe("assistant");
    expect(seen).toHaveLength(3);
    const [req, res] = seen[0]!;
    // Prototype objects compared by identity only (their getters, e.g. Express's req.query, throw when read).
    expect(req === IncomingMessage.prototype || res === ServerResponse.prototype).toBe(false);
    expect(Object.getPrototypeOf(Object.getPrototypeOf(req)) === IncomingMessage.prototype).toBe(true); // app.request -> Express's request -> Node's
    expect(typeof (req as { get?: unknown }).get).toBe("function");
    expect(typeof (res as { json?: unknown }).json).toBe("function");
    expect(req instanceof IncomingMessage && res instanceof ServerResponse).toBe(true);
    expect(seen.every(([q, r]) => q === req && r === res)).toBe(true);
  });
});
