// Ids of the responses and output items the gateway makes (translated providers): OpenAI's prefixes
// (`resp_`, `msg_`, `fc_`, `rs_`) and 48 hex digits, as OpenAI's are: 40 random ones and a fixed tag, by which
// the gateway knows its own item ids when a client sends them back, so that it never forwards them to OpenAI
// (which would look them up and refuse them). Tests pass a counter instead.
import { randomBytes } from "node:crypto";

export type NewId = (prefix: "resp" | "msg" | "fc" | "rs") => string;

/** "Rune" in hex. */
const TAG = "52756e65";

export const randomId: NewId = (prefix) => `${prefix}_${randomBytes(20).toString("hex")}${TAG}`;

const GATEWAY_ITEM_ID = new RegExp(`^(msg|fc|rs)_[0-9a-f]{40}${TAG}$`);

/** True for an output item id the gateway made (randomId's). */
export function isGatewayItemId(id: unknown): boolean {
  return typeof id === "string" && GATEWAY_ITEM_ID.test(id);
}
