// Ids of the responses and output items the gateway makes (translated providers): OpenAI's prefixes
// (`resp_`, `msg_`, `fc_`, `rs_`) and 48 random hex digits, as OpenAI's are. Tests pass a counter instead.
import { randomBytes } from "node:crypto";

export type NewId = (prefix: "resp" | "msg" | "fc" | "rs") => string;

export const randomId: NewId = (prefix) => `${prefix}_${randomBytes(24).toString("hex")}`;
