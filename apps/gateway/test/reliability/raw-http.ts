// A raw HTTP/1.1 client over a socket, so the fuzzer can send what fetch and node:http refuse to build:
// invalid UTF-8 bytes, odd bytes in header values, oversized header blocks, odd request targets.
import { connect } from "node:net";

export interface RawResponse {
  /** The status, or 0 when the server closed the connection without an answer (see `reset`). */
  status: number;
  /** Headers and body as received (latin1), chunked framing included. */
  text: string;
  /** The server reset the connection before any answer arrived (it does so after a 431 while the client is still sending). */
  reset?: boolean;
}

/** Whether `text` holds one complete response (Content-Length or chunked framing; else it ends at close). */
function complete(text: string): boolean {
  const end = text.indexOf("\r\n\r\n");
  if (end < 0) return false;
  const head = text.slice(0, end).toLowerCase();
  const body = text.slice(end + 4);
  const length = /\r\ncontent-length: *(\d+)/.exec(head);
  if (length) return Buffer.byteLength(body, "latin1") >= Number(length[1]);
  if (/\r\ntransfer-encoding: *chunked/.test(head)) {
    let at = 0;
    for (;;) {
      const eol = body.indexOf("\r\n", at);
      if (eol < 0) return false;
      const size = parseInt(body.slice(at, eol), 16);
      if (Number.isNaN(size)) return false;
      if (size === 0) return true;
      at = eol + 2 + size + 2;
      if (at > body.length) return false;
    }
  }
  return /^http\/1\.1 (1\d\d|204|304)/.test(head);
}

/**
 * Sends one request and reads one response. It asks for `Connection: close`, but does not rely on it: the
 * response ends by its framing.
 */
export function rawRequest(port: number, method: string, target: string, headers: Array<[string, string | Buffer]>, body?: Buffer, timeoutMs = 30_000): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    const parts: Buffer[] = [Buffer.from(`${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n`, "latin1")];
    for (const [k, v] of headers) parts.push(Buffer.from(`${k}: `, "latin1"), typeof v === "string" ? Buffer.from(v, "latin1") : v, Buffer.from("\r\n"));
    if (body) parts.push(Buffer.from(`Content-Length: ${body.length}\r\n`));
    parts.push(Buffer.from("\r\n"));
    if (body) parts.push(body);
    let text = "";
    let reset = false;
    let settled = false;
    const finish = (err?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (err) return reject(err);
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      if (m) resolve({ status: Number(m[1]), text });
      else if (reset && !text) resolve({ status: 0, text, reset: true });
      else reject(new Error(`no HTTP status line in the answer to ${method} ${target.slice(0, 80)}: ${JSON.stringify(text.slice(0, 120))}`));
    };
    const timer = setTimeout(() => finish(new Error(`no complete answer to ${method} ${target.slice(0, 80)} within ${timeoutMs} ms`)), timeoutMs);
    socket.on("data", (b) => {
      text += b.toString("latin1");
      if (complete(text)) finish();
    });
    socket.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code === "ECONNRESET" || e.code === "EPIPE") reset = true;
      else finish(e);
    });
    socket.on("close", () => finish());
    socket.write(Buffer.concat(parts));
  });
}

/** Percent-encodes every byte outside the unreserved set, so any string can travel in a path or query. */
export function encodeAll(s: string): string {
  let out = "";
  for (const b of Buffer.from(s, "utf8")) {
    const c = String.fromCharCode(b);
    out += /[A-Za-z0-9._~-]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}
