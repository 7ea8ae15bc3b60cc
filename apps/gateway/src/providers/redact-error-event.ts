// A Messages API `error` event from the upstream is relayed to the client as sent (passthrough), so its text
// is scrubbed like every other upstream error. The event may be megabytes (the cap is max_upstream_event_bytes):
// it is parsed and rebuilt from its short fields, so redaction only runs over a cut message.
import { redactExcerpt } from "../core/redact-secrets";
import { isObject } from "./sanitize-usage";
import { MAX_UPSTREAM_MESSAGE_CHARS } from "../core/upstream-error";

const MAX_FIELD_CHARS = 200;

/** The event's data as `{"type":"error","error":{"type","message"}}`, redacted and cut; text that is not such JSON is cut and redacted. */
export function redactErrorEvent(data: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return redactExcerpt(data, MAX_UPSTREAM_MESSAGE_CHARS);
  }
  const error = isObject(parsed) && isObject(parsed.error) ? parsed.error : {};
  const text = (v: unknown, max: number) => (typeof v === "string" ? redactExcerpt(v, max) : undefined);
  return JSON.stringify({
    type: "error",
    error: { type: text(error.type, MAX_FIELD_CHARS) ?? "api_error", message: text(error.message, MAX_UPSTREAM_MESSAGE_CHARS) ?? "upstream stream failed" },
  });
}
