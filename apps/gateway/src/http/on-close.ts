// Runs `fn` once the response is closed. A listener added after "close" fired would never run, and a
// client can hang up while a handler awaits (admission, the state backend): then `fn` runs at once.
import type { Response } from "express";

export function onClose(res: Response, fn: () => void): void {
  if (res.closed) fn();
  else res.once("close", fn);
}
