// During the drain only new model work is refused: a client can still poll or cancel its job (this
// instance may be the one running it), read its usage and the models, while chat, Messages and
// embeddings calls get 503 draining so that they go to another instance.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorOf, postJson, startHarness, TENANT_KEY, type Harness } from "./harness";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const get = (path: string) => fetch(`${h.url}${path}`, { headers: { authorization: `Bearer ${TENANT_KEY}` } });

describe("draining after SIGTERM", () => {
  it("refuses model calls with 503 draining but still answers jobs, usage and models", async () => {
    h.upstream.behave({ latencyMs: 1_500 }, { times: 1 });
    const inFlight = postJson(`${h.url}/v1/chat/completions`, { model: "gpt-4o-mini", messages: [{ role: "user", content: "keep the drain going" }] });
    for (let i = 0; i < 200 && h.upstream.requests.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    const closed = h.gateway.close();

    for (const [path, body] of [
      ["/v1/chat/completions", { model: "gpt-4o-mini", messages: [{ role: "user", content: "new" }] }],
      // Express routes ignore case: so does the refusal.
      ["/V1/Chat/Completions", { model: "gpt-4o-mini", messages: [{ role: "user", content: "new" }] }],
      ["/v1/chat/stream", { model: "gpt-4o-mini", messages: [{ role: "user", content: "new" }] }],
      ["/v1/messages", { model: "gpt-4o-mini", max_tokens: 5, messages: [{ role: "user", content: "new" }] }],
      ["/v1/embeddings", { model: "gpt-4o-mini", input: "new" }],
    ] as const) {
      const res = await postJson(`${h.url}${path}`, body);
      expect(res.status, path).toBe(503);
      if (path !== "/v1/messages") expect(await errorOf(res)).toMatchObject({ code: "draining" });
    }

    const job = await get("/v1/jobs/job_unknown0000");
    expect(job.status).toBe(404);
    expect((await errorOf(job)).code).toBe("job_not_found");
    expect((await get("/v1/usage")).status).toBe(200);
    expect((await get("/v1/models")).status).toBe(200);

    expect((await inFlight).status).toBe(200);
    await closed;
  });
});
