// What Node's HTTP parser rejects before any request exists (headers too large, a request line or a
// header that is not HTTP, headers or a request that arrived too slowly) gets OpenAI's error shape
// here instead of Node's empty bodies, and the connection is closed. There is no request, so no route
// and no request log line: only a debug line with the parser's code.
import { randomUUID } from "node:crypto";
import type { Duplex } from "node:stream";
import type { Logger } from "pino";

type Answer = readonly [status: number, reason: string, code: string, message: string];

const ANSWERS: Record<string, Answer> = {
  HPE_HEADER_OVERFLOW: [431, "Request Header Fields Too Large", "request_headers_too_large", "the request headers are larger than the gateway accepts"],
  HPE_CHUNK_EXTENSIONS_OVERFLOW: [413, "Payload Too Large", "request_too_large", "the request's chunk extensions are larger than the gateway accepts"],
  ERR_HTTP_REQUEST_TIMEOUT: [408, "Request Timeout", "request_timeout", "the request did not arrive in time"],
};
const BAD_REQUEST: Answer = [400, "Bad Request", "invalid_http_request", "the request is not valid HTTP/1.1"];

export function answerClientError(logger: Logger): (err: NodeJS.ErrnoException, socket: Duplex) => void {
  return (err, socket) => {
    // A response already under way (its headers sent) cannot be replaced; a reset socket cannot be written.
    const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } | null })._httpMessage;
    if (err.code !== "ECONNRESET" && socket.writable && !inFlight?.headersSent) {
      const [status, reason, code, message] = ANSWERS[err.code ?? ""] ?? BAD_REQUEST;
      const body = JSON.stringify({ error: { message, type: "invalid_request_error", code, param: null } });
      socket.write(
        `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
          `x-request-id: req_${randomUUID().replace(/-/g, "")}\r\nConnection: close\r\n\r\n${body}`,
      );
    }
    if (logger.isLevelEnabled("debug")) logger.debug({ code: err.code }, "connection refused by the HTTP parser");
    socket.destroy();
  };
}
