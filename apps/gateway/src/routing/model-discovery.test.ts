import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { RunestoneConfig } from "../config/schema";
import { ModelDiscovery } from "./model-discovery";

const CAP = 64 * 1024;
let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/** An OpenAI-shaped GET /models answering `ids` (padded to `padTo` bytes), chunked or with its length declared. */
async function upstream(ids: string[], padTo = 0, declareLength = false): Promise<{ url: string; sent: () => number }> {
  let sent = 0;
  server = createServer((_req, res) => {
    const body = JSON.stringify({ object: "list", data: ids.map((id) => ({ id, object: "model" })), pad: "x".repeat(Math.max(0, padTo)) });
    res.writeHead(200, { "content-type": "application/json", ...(declareLength ? { "content-length": Buffer.byteLength(body) } : {}) });
    // In 16 KiB pieces, so that a reader that stops at the cap is seen stopping.
    const write = (at: number): void => {
      if (at >= body.length || res.destroyed) return void res.end();
      sent = at + 16_384;
      if (res.write(body.slice(at, at + 16_384))) setImmediate(() => write(at + 16_384));
      else res.once("drain", () => write(at + 16_384));
    };
    write(0);
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}/v1`, sent: () => sent };
}

const config = (url: string) =>
  ({ server: { max_upstream_response_bytes: CAP }, providers: { up: { type: "openai-compatible", base_url: url, api_key: "sk-x", discover: true, headers: {} } } }) as unknown as RunestoneConfig;

describe("ModelDiscovery", () => {
  it("lists the ids of an answer under the cap", async () => {
    const { url } = await upstream(["m-1", "m-2", "m-1"]);
    const d = new ModelDiscovery(config(url));
    await d.refresh();
    expect(d.list("up")).toEqual(["m-1", "m-2"]);
  });

  it.each([["chunked", false], ["with its length declared", true]])("refuses a listing past server.max_upstream_response_bytes (%s) instead of buffering it", async (_name, declared) => {
    const { url, sent } = await upstream(["m-1"], 4 * 1024 * 1024, declared);
    const errors: string[] = [];
    const d = new ModelDiscovery(config(url), (_p, err) => errors.push(String(err)));
    await d.refresh();
    expect(d.list("up")).toEqual([]);
    expect(errors.join()).toMatch(/larger than the gateway accepts/);
    // The upstream was not read to its end (4 MiB): reading stopped near the cap.
    expect(sent()).toBeLessThan(4 * 1024 * 1024);
  });
});
