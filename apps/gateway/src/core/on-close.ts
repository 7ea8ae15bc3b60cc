// Runs `fn` once the response is closed. A listener added after "close" fired would never run, and a
// client can hang up while a handler awaits (admission, the state backend): then `fn` runs at once.
// `fn` is guarded (guard-handler.ts): whatever it throws is logged, never the end of the process.
import type { Response } from "express";
import { guarded } from "./guard-handler";

export function onClose(res: Response, fn: () => unknown, what = "on-close"): void {
  const safe = guarded(what, fn);
  if (res.closed) safe();
  else res.once("close", safe);
}
