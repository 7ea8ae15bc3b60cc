// Response 'finish'/'close' handlers run from inside Node's stream machinery: an error thrown there is an
// uncaught exception and ends the process, for every tenant, after the client already got its answer. Every
// such handler is wrapped here once; a failure (sync, or a rejected promise) is logged at warn instead.
import type { Logger } from "pino";

type Warn = (fields: Record<string, unknown>, msg: string) => void;

let warn: Warn = (fields, msg) => process.stderr.write(`${JSON.stringify({ level: "warn", msg, ...fields })}\n`);

/** Where handler failures are reported; createApp points it at the gateway's logger. */
export function reportHandlerErrorsTo(logger: Pick<Logger, "warn">): void {
  warn = (fields, msg) => logger.warn(fields, msg);
}

function report(what: string, err: unknown): void {
  try {
    warn({ handler: what, err: { name: (err as Error)?.name, message: String((err as Error)?.message ?? err).slice(0, 300) } }, "response handler failed");
  } catch {
    // Reporting must not be the thing that throws.
  }
}

/** `fn` made safe to run as an event handler: it never throws, and a promise it returns never rejects unhandled. */
export function guarded<A extends unknown[]>(what: string, fn: (...args: A) => unknown): (...args: A) => void {
  return (...args: A) => {
    try {
      const out = fn(...args);
      if (out && typeof (out as Promise<unknown>).then === "function") (out as Promise<unknown>).then(undefined, (err: unknown) => report(what, err));
    } catch (err) {
      report(what, err);
    }
  };
}
