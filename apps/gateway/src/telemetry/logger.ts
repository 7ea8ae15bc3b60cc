// Structured JSON logs with pino, written asynchronously so logging never blocks a request.
import pino, { type Logger } from "pino";

const SERVICE = "runestone";

/** Writes one log line made by hand (see lineWriter), in the same format the logger's own lines have. */
export type LineWriter = (level: "debug" | "info", props: string, msg: string) => void;

const writers = new WeakMap<Logger, LineWriter>();

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const dest = destination ?? pino.destination({ dest: 1, sync: false });
  const logger = pino(
    {
      level,
      base: { service: SERVICE },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: ["req.headers.authorization", "headers.authorization", "*.api_key", "api_key"], censor: "[redacted]" },
    },
    dest,
  );
  writers.set(logger, lineWriterTo(dest));
  return logger;
}

/**
 * A writer of pre-serialized lines to the destination of a logger made by createLogger (undefined for any
 * other logger). The per-request log line is a fixed set of flat fields: built as one string it costs a
 * fraction of pino's per-key walk, which also runs the redaction's wildcard stringifier on every key
 * (bench/README.md, "Toward issue 14"). The caller checks the level (logger.isLevelEnabled) and owns what
 * `props` contains: redaction does not see these lines, so they must never carry a secret.
 *
 * Lines written in one turn of the event loop reach the destination together, at the end of that turn: one
 * asynchronous file write for many requests instead of one each (each costs a thread-pool hand-off). So a
 * line from pino itself may come out ahead of request lines of the same turn. Lines still held when the
 * process exits are written synchronously then.
 */
export function lineWriter(logger: Logger): LineWriter | undefined {
  return writers.get(logger);
}

const LEVEL_PREFIX = { debug: '{"level":20,"time":"', info: '{"level":30,"time":"' } as const;
const AFTER_TIME = `","service":${JSON.stringify(SERVICE)}`;

/** The flushes of writers that hold lines (at most one turn's worth each), for the exit hook. */
const holding = new Set<() => void>();
let exitHooked = false;
let exiting = false;

function writeHeldLinesAtExit(): void {
  for (const flush of holding) flush();
}

function lineWriterTo(dest: pino.DestinationStream): LineWriter {
  // pino's isoTime makes a Date per line; lines finishing in the same millisecond share one string.
  let lastMs = -1;
  let lastIso = "";
  let held: string[] = [];
  const flush = (): void => {
    holding.delete(flush);
    const lines = held;
    held = [];
    if (!lines.length) return;
    try {
      // One write per line, as pino makes them: the destination coalesces them into few system writes, and a
      // turn's lines handed over as one string broke lines when several workers share one pipe (a 20 KB string
      // is not written atomically; a line is). The saving kept is the one hand-off per turn.
      for (const line of lines) dest.write(line);
      // At exit pino may already have flushed its destination: what was just written must still reach the file.
      if (exiting) (dest as { flushSync?: () => void }).flushSync?.();
    } catch {
      // A destination already closed (a stopped gateway's): the lines are dropped, as pino's own write would have thrown them away.
    }
  };
  return (level, props, msg) => {
    const now = Date.now();
    if (now !== lastMs) {
      lastMs = now;
      lastIso = new Date(now).toISOString();
    }
    if (!held.length) {
      holding.add(flush);
      setImmediate(flush);
      if (!exitHooked) {
        exitHooked = true;
        process.once("exit", () => {
          exiting = true;
          writeHeldLinesAtExit();
        });
      }
    }
    held.push(LEVEL_PREFIX[level] + lastIso + AFTER_TIME + props + ',"msg":' + JSON.stringify(msg) + "}\n");
  };
}
