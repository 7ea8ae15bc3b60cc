import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import type { MockBehavior } from "./behavior.js";
import type { Exchange } from "./exchange.js";
import { jsonText, withRawUsage } from "./raw-json.js";

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return chunks.length === 1 ? chunks[0]!.toString("utf8") : Buffer.concat(chunks).toString("utf8");
}

export function sendJson(res: ServerResponse, status: number, payload: unknown, headers?: OutgoingHttpHeaders): void {
  const body = jsonText(payload);
  res.writeHead(status, {
    ...headers,
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
  });
  res.end(body);
}

export function retryHeaders(behavior: MockBehavior): OutgoingHttpHeaders | undefined {
  if (behavior.retryAfter === undefined && behavior.retryAfterMs === undefined) return undefined;
  const headers: OutgoingHttpHeaders = {};
  if (behavior.retryAfter !== undefined) headers["retry-after"] = String(behavior.retryAfter);
  if (behavior.retryAfterMs !== undefined) headers["retry-after-ms"] = String(behavior.retryAfterMs);
  return headers;
}

/**
 * A successful JSON answer. The stream faults have a non-stream reading too: `cutAfter` sends half
 * the body and drops the connection, `stall: "mid-stream"` sends the headers and nothing more.
 */
export function respondJson(ex: Exchange, behavior: MockBehavior, payload: unknown): void {
  if (behavior.cutAfter === undefined && behavior.stall !== "mid-stream") {
    sendJson(ex.res, 200, withRawUsage(payload, behavior), retryHeaders(behavior));
    return;
  }
  const body = jsonText(payload, behavior);
  ex.res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  if (behavior.cutAfter !== undefined) ex.cut(body.slice(0, Math.floor(body.length / 2)));
  else ex.res.flushHeaders();
}

/** `rawBody`: a 200 with exactly the given text, however broken. */
export function sendRaw(ex: Exchange, body: string, stream: boolean): void {
  ex.res.writeHead(200, {
    "content-type": stream ? "text/event-stream; charset=utf-8" : "application/json",
    "content-length": Buffer.byteLength(body),
  });
  ex.res.end(body);
}
