// A client that leaves a /v1/messages stream early stops the upstream request too (tokens cost money), on the
// passthrough path and on the translated one.
import http from "node:http";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startHarness, TENANT_KEY, type Harness } from "./harness";
import { interopConfigYaml } from "./messages-test-config";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ configYaml: interopConfigYaml });
});
afterAll(() => h.close());
beforeEach(() => h.upstream.reset());

/** Reads a few chunks of the stream, then drops the connection. */
function readThenLeave(url: string, body: unknown): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const req = http.request(url, { method: "POST", headers: { "content-type": "application/json", "x-api-key": TENANT_KEY } }, (res) => {
      let seen = 0;
      res.on("data", () => {
        if (++seen === 3) {
          req.destroy();
          resolve();
        }
      });
      res.on("error", () => undefined);
    });
    req.on("error", () => undefined);
    req.setTimeout(5000, () => reject(new Error("no data")));
    req.end(JSON.stringify(body));
  });
}

describe("leaving a /v1/messages stream", () => {
  it.each(["claude-sonnet-4-5", "gpt-4o-mini"])("aborts the upstream request of %s", async (model) => {
    h.upstream.behave({ chunkDelayMs: 50 }, { times: 1 });
    await readThenLeave(`${h.url}/v1/messages`, { model, max_tokens: 500, stream: true, messages: [{ role: "user", content: Array(100).fill("w").join(" ") }] });
    await h.upstream.waitFor((rs) => rs.length === 1 && rs[0]!.clientClosedAt !== undefined, 2000);
    expect(h.upstream.requests[0]!.completed).toBe(false);
  });
});
