// A client that leaves a /v1/responses stream early stops the upstream request too (tokens cost money), on the
// passthrough path (OpenAI) and on the translated one (Anthropic).
import http from "node:http";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startHarness, TENANT_KEY, type Harness } from "./harness";
import { responsesConfigYaml } from "./responses-test-config";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ configYaml: responsesConfigYaml });
});
afterAll(() => h.close());
beforeEach(() => h.upstream.reset());

/** Reads a few chunks of the stream, then drops the connection. */
function readThenLeave(url: string, body: unknown): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const req = http.request(url, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${TENANT_KEY}` } }, (res) => {
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

describe("leaving a /v1/responses stream", () => {
  it.each(["gpt-4o-mini", "claude-sonnet-4-5"])("aborts the upstream request of %s", async (model) => {
    h.upstream.behave({ chunkDelayMs: 50 }, { times: 1 });
    await readThenLeave(`${h.url}/v1/responses`, { model, stream: true, input: Array(100).fill("w").join(" ") });
    await h.upstream.waitFor((rs) => rs.length === 1 && rs[0]!.clientClosedAt !== undefined, 3000);
    expect(h.upstream.requests[0]!.completed).toBe(false);
  });
});
