import type { MockBehavior } from "./behavior.js";

/** A JSON body already serialised: sent as it is, so it can hold what JSON.stringify cannot write (`1e400`). */
export class RawJson {
  constructor(readonly text: string) {}
}

const MARK = "@@mock-raw-usage@@";

/** JSON text of `payload`, with every `usage` value replaced by the behaviour's `usageJson` when it has one. */
export function jsonText(payload: unknown, behavior: MockBehavior = {}): string {
  if (payload instanceof RawJson) return payload.text;
  const raw = behavior.usageJson;
  if (raw === undefined) return JSON.stringify(payload);
  return JSON.stringify(payload, (key, value: unknown) => (key === "usage" ? MARK : value)).split(`"${MARK}"`).join(raw);
}

/** The payload as it will be sent: raw text when the behaviour replaces its usage. */
export function withRawUsage(payload: unknown, behavior: MockBehavior): unknown {
  return behavior.usageJson === undefined ? payload : new RawJson(jsonText(payload, behavior));
}
