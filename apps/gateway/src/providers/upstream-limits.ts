// Caps on what the gateway reads from an upstream (config: server.max_upstream_response_bytes and
// server.max_upstream_event_bytes). A hostile or broken upstream could otherwise make one request hold
// hundreds of MB: the body is aborted at the cap, never buffered past it.
import { UpstreamError } from "./upstream-error";

export interface UpstreamLimits {
  /** A non-streamed answer (JSON, or an error body). */
  maxResponseBytes: number;
  /** One SSE event of a stream (a stream as a whole is not buffered, so it has no cap). */
  maxEventBytes: number;
}

/** The caps when none are given; also the config schema's defaults for both settings (one place for the numbers). */
export const DEFAULT_UPSTREAM_LIMITS: UpstreamLimits = { maxResponseBytes: 32 * 1024 * 1024, maxEventBytes: 4 * 1024 * 1024 };

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
