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
