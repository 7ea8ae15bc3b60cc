// What every model endpoint's handler needs from the app: the router, the request deadline, the
// tenant limits and the usage ledger (chat adds the overflow queue on top).
import type { Admission } from "../admission/types";
import type { Router } from "../routing/router";
import type { UsageLedger } from "../telemetry/usage-ledger";

export interface ModelEndpointDeps {
  router: Router;
  requestTimeoutMs: number;
  admission?: Admission;
  ledger?: UsageLedger;
  /** Answers are checked against the spec (tests): JSON answers then go through res.json, which the validator hooks (pipeline/send-json.ts). */
  validateResponses?: boolean;
}
