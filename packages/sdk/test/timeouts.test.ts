import { afterEach, describe, expect, it } from "vitest";
import { APIConnectionTimeoutError, APIUserAbortError, createClient } from "../src/index";
import { chatBody, completion, sendJson, sseChunk, startLocalServer, type LocalServer } from "./local-server";

let server: LocalServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("timeouts", () => {
  it("throws APIConnectionTimeoutError when no headers arrive within timeout", async () => {
    server = await startLocalServer(() => undefined);
    const client = createClient({ baseUrl: server.url, apiKey: "k", timeout: 150, maxRetries: 0 });
    const started = Date.now();
    const error = await client.chat.completions.create(chatBody).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIConnectionTimeoutError);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(server.seen).toHaveLength(1);
  });

  it("retries a try that timed out, with a fresh timeout", async () => {
    server = await startLocalServer((_req, res, i) => {
      if (i > 0) sendJson(res, 200, completion);
    });
    const client = createClient({ baseUrl: server.url, apiKey: "k", timeout: 150, maxRetries: 1 });
    await expect(client.chat.completions.create(chatBody)).resolves.toMatchObject({ id: "chatcmpl-local" });
    expect(server.seen).toHaveLength(2);
  });

  it("lets one call set its own timeout", async () => {
    server = await startLocalServer((_req, res) => {
      setTimeout(() => sendJson(res, 200, completion), 300);
    });
    const client = createClient({ baseUrl: server.url, apiKey: "k", timeout: 5000, maxRetries: 0 });
    await expect(client.chat.completions.create(chatBody, { timeout: 100 })).rejects.toBeInstanceOf(
      APIConnectionTimeoutError,
    );
  });

  it("does not cut a stream that outlives the timeout once its headers arrived", async () => {
    server = await startLocalServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      const words = ["a ", "b ", "c"];
      let i = 0;
      const tick = setInterval(() => {
        const word = words[i++];
        if (word === undefined) {
          clearInterval(tick);
          res.end("data: [DONE]\n\n");
        } else res.write(sseChunk(word));
      }, 600);
    });
    // The headers come at once and the stream lasts about 2.4 s: well past the timeout, with room for a loaded machine.
    const client = createClient({ baseUrl: server.url, apiKey: "k", timeout: 1_500, maxRetries: 0 });
    expect(await (await client.chat.stream(chatBody)).finalText()).toBe("a b c");
  });

  it("throws APIUserAbortError without retrying when the caller aborts", async () => {
    server = await startLocalServer(() => undefined);
    const client = createClient({ baseUrl: server.url, apiKey: "k", maxRetries: 2 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const error = await client.models.list({ signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIUserAbortError);
    expect(server.seen).toHaveLength(1);
  });
});
