// Caps on what the gateway reads from an upstream (config: server.max_upstream_response_bytes and
// server.max_upstream_event_bytes). A hostile or broken upstream could otherwise make one request hold
// hundreds of MB: the body is aborted at the cap, never buffered past it. The caps themselves and their
// defaults are config (config/upstream-limits.ts).
import { UpstreamError } from "../core/upstream-error";

/**
 * The upstream answered more than the gateway reads. Not retryable: asking again (or the next deployment of
 * the same model) would most likely bring the same huge answer.
 */
export function responseTooLarge(what: "answer" | "stream event", cap: number): UpstreamError {
  return new UpstreamError({
    kind: "protocol",
    code: "upstream_response_too_large",
    message: `the upstream's ${what} is larger than the gateway accepts (${cap} bytes)`,
    retryable: false,
  });
}

/** Reads a body as text, aborting it (and throwing responseTooLarge) once it passes `cap` bytes. */
export async function readCapped(body: AsyncIterable<unknown> & { destroy(err?: Error): unknown }, cap: number, declaredLength?: string | string[]): Promise<string> {
  const declared = Number(Array.isArray(declaredLength) ? declaredLength[0] : declaredLength);
  if (Number.isFinite(declared) && declared > cap) {
    body.destroy();
    throw responseTooLarge("answer", cap);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > cap) {
      body.destroy();
      throw responseTooLarge("answer", cap);
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks, size).toString("utf8");
}

/** The parts of a Node Readable (undici's response body) that readCappedStream uses. */
export interface ReadableBody {
  on(event: "data", fn: (chunk: Buffer) => void): unknown;
  on(event: "end" | "close", fn: () => void): unknown;
  on(event: "error", fn: (err: Error) => void): unknown;
  removeListener(event: string, fn: (...args: never[]) => void): unknown;
  destroy(err?: Error): unknown;
  readonly destroyed: boolean;
}

/**
 * readCapped for a Node Readable, read through its events: the same text, cap and errors, without the async
 * iterator, its end-of-stream watcher and a promise per chunk (~5 µs per upstream answer, bench/README.md
 * "Toward issue 14"). A body closed before its end (destroyed without an error) rejects like the iterator did.
 */
export function readCappedStream(body: ReadableBody, cap: number, declaredLength?: string | string[]): Promise<string> {
  const declared = Number(Array.isArray(declaredLength) ? declaredLength[0] : declaredLength);
  if (Number.isFinite(declared) && declared > cap) {
    body.destroy();
    return Promise.reject(responseTooLarge("answer", cap));
  }
  if (body.destroyed) return Promise.reject(prematureClose());
  return new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => {
      body.removeListener("data", onData);
      body.removeListener("end", onEnd);
      body.removeListener("error", onError);
      body.removeListener("close", onClose);
    };
    const onData = (buf: Buffer) => {
      size += buf.length;
      if (size > cap) {
        done();
        body.destroy();
        reject(responseTooLarge("answer", cap));
        return;
      }
      chunks.push(buf);
    };
    const onEnd = () => {
      done();
      resolve(chunks.length === 1 ? chunks[0]!.toString("utf8") : Buffer.concat(chunks, size).toString("utf8"));
    };
    const onError = (err: Error) => {
      done();
      reject(err);
    };
    const onClose = () => {
      done();
      reject(prematureClose());
    };
    body.on("data", onData);
    body.on("end", onEnd);
    body.on("error", onError);
    body.on("close", onClose);
  });
}

function prematureClose(): Error {
  return Object.assign(new Error("Premature close"), { code: "ERR_STREAM_PREMATURE_CLOSE" });
}
