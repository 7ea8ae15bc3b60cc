// Regression test: a response.failed event relayed from OpenAI (passthrough) reached the client with its
// error message as the upstream wrote it; an `error` event's was already redacted. Now both are.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postJson, startHarness, UPSTREAM_KEY, type Harness } from "./harness";
import { responsesConfigYaml } from "./responses-test-config";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ configYaml: responsesConfigYaml });
});
afterAll(() => h.close());

describe("a passthrough stream that ends with response.failed", () => {
  it("reaches the client with the error message's secrets redacted", async () => {
    const shell = { id: "resp_failed_1", object: "response", created_at: 1, status: "in_progress", model: "gpt-4o-mini-2024-07-18", output: [], usage: null };
    const failed = { ...shell, status: "failed", error: { code: "server_error", message: `upstream said: Incorrect API key provided: ${UPSTREAM_KEY}` } };
    const raw = [
      `event: response.created\ndata: ${JSON.stringify({ type: "response.created", sequence_number: 0, response: shell })}\n\n`,
      `event: response.failed\ndata: ${JSON.stringify({ type: "response.failed", sequence_number: 1, response: failed })}\n\n`,
    ].join("");
    h.upstream.behave({ rawBody: raw }, { times: 1 });
    const res = await postJson(`${h.url}/v1/responses`, { model: "gpt-4o-mini", input: "hi", stream: true });
    const text = await res.text();
    expect(text).toContain("event: response.failed");
    expect(text).not.toContain(UPSTREAM_KEY);
    const data = JSON.parse(text.split("event: response.failed\ndata: ")[1]!.split("\n")[0]!) as { response: { error: { code: string; message: string } } };
    expect(data.response.error.code).toBe("server_error");
    expect(data.response.error.message).toContain("upstream said: Incorrect API key provided:");
  });
});
