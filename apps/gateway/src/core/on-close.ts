// Runs `fn` once the response is closed. A listener added after "close" fired would never run, and a
// client can hang up while a handler awaits (admission, the state backend): then `fn` runs at once.
// `fn` is guarded (guard-handler.ts): whatever it throws is logged, never the end of the process.
// A response has one "close" listener for all its callbacks, which run in the order they were added: a
// once() per stage (the request log, the upstream signal, admission, the ledger) cost an add, a wrapper and
// a remove each on every request.
import type { Response } from "express";
import { guarded } from "./guard-handler";

/**
 * Each open response's callbacks. A WeakMap rather than a property of the response: adding a property to a
 * response (an Express one, its prototype swapped) cost more than the once() it replaces (measured: 5
 * callbacks and the close, ~9.5 µs with a symbol property, ~7 µs with once(), ~4.5 µs with this map).
 */
const callbacks = new WeakMap<Response, Array<() => void>>();

export function onClose(res: Response, fn: () => unknown, what = "on-close"): void {
  const safe = guarded(what, fn);
  if (res.closed) return safe();
  const list = callbacks.get(res);
  if (list !== undefined) list.push(safe);
  else {
    callbacks.set(res, [safe]);
    res.on("close", runCallbacks);
  }
}

/**
 * The response's one "close" listener. A callback added while these run finds the response closed and runs
 * at once; each runs once, as with once(), should "close" ever be emitted again.
 */
function runCallbacks(this: Response): void {
  const list = callbacks.get(this);
  if (list === undefined) return;
  callbacks.delete(this);
  for (let i = 0; i < list.length; i++) list[i]!();
}
