// A Responses API `error` event from OpenAI is relayed to the client as sent (passthrough), so its text is
// scrubbed like every other upstream error: rebuilt from its short fields, the message cut and redacted.
import { redactExcerpt } from "../../core/redact-secrets";
import { MAX_UPSTREAM_MESSAGE_CHARS } from "../../core/upstream-error";
import { isObject } from "../sanitize-usage";

const MAX_FIELD_CHARS = 200;

/** The event's data as `{"type":"error","code","message","param","sequence_number"}`, redacted and cut. */
export function redactResponsesErrorEvent(data: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return redactExcerpt(data, MAX_UPSTREAM_MESSAGE_CHARS);
  }
  const ev = isObject(parsed) ? parsed : {};
  const text = (v: unknown, max: number) => (typeof v === "string" ? redactExcerpt(v, max) : null);
  return JSON.stringify({
    type: "error",
    code: text(ev.code, MAX_FIELD_CHARS),
    message: text(ev.message, MAX_UPSTREAM_MESSAGE_CHARS) ?? "upstream stream failed",
    param: text(ev.param, MAX_FIELD_CHARS),
    ...(typeof ev.sequence_number === "number" ? { sequence_number: ev.sequence_number } : {}),
  });
}

/**
 * A relayed `response.failed` event with its `response.error` scrubbed the same way (code and message only,
 * redacted and cut); the same string when the error was already clean, so the event goes on byte for byte.
 */
export function redactResponsesFailedEvent(data: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return data;
  }
  if (!isObject(parsed) || !isObject(parsed.response) || !isObject(parsed.response.error)) return data;
  const error = parsed.response.error;
  const text = (v: unknown, max: number) => (typeof v === "string" ? redactExcerpt(v, max) : null);
  const clean = { code: text(error.code, MAX_FIELD_CHARS), message: text(error.message, MAX_UPSTREAM_MESSAGE_CHARS) ?? "upstream response failed" };
  if (JSON.stringify(error) === JSON.stringify(clean)) return data;
  return JSON.stringify({ ...parsed, response: { ...parsed.response, error: clean } });
}
