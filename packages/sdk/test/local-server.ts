import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

export interface LocalServer {
  url: string;
  /** Every request received, in order, with its body. */
  seen: SeenRequest[];
  close(): Promise<void>;
}

/** A tiny HTTP server on 127.0.0.1 whose handler gets the 0-based index of the request. */
export async function startLocalServer(
  handler: (req: SeenRequest, res: ServerResponse, index: number) => void | Promise<void>,
): Promise<LocalServer> {
  const seen: SeenRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const request = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      seen.push(request);
      void handler(request, res, seen.length - 1);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { "content-type": "application/json", "x-request-id": `req_local_${status}`, ...headers });
  res.end(JSON.stringify(body));
}

export function errorBody(message: string, type = "api_error", code: string | null = null) {
  return { error: { message, type, code, param: null } };
}

export const completion = {
  id: "chatcmpl-local",
  object: "chat.completion",
  created: 1,
  model: "local",
  choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }],
};

export const chatBody = { model: "local", messages: [{ role: "user" as const, content: "hi" }] };

export function sseChunk(content: string): string {
  return `data: ${JSON.stringify({
    id: "chatcmpl-local",
    object: "chat.completion.chunk",
    created: 1,
    model: "local",
    choices: [{ index: 0, delta: { content }, finish_reason: null }],
  })}\n\n`;
}
