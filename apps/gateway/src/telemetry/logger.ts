// Structured JSON logs with pino, written asynchronously so logging never blocks a request.
import pino, { type Logger } from "pino";

const SERVICE = "runestone";

/** Writes one log line made by hand (see lineWriter), in the same format the logger's own lines have. */
export type LineWriter = (level: "debug" | "info", props: string, msg: string) => void;

const writers = new WeakMap<Logger, LineWriter>();

/**
 * How long request lines wait to be written to the process's own stdout (the default destination): every
 * asynchronous file write is a thread-pool hand-off that competes for the gateway's core, so under load
 * lines are written a few times per second in batches instead of about once per request (bench/README.md,
 * "Toward issue 14"). A given destination (tests' captures) gets each event-loop turn's lines at its end.
 */
export const STDOUT_BATCH_MS = 20;

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
  writers.set(logger, destination ? lineWriterTo(dest, 0, false) : lineWriterTo(dest, STDOUT_BATCH_MS, true));
  return logger;
}

/**
 * A writer of pre-serialized lines to the destination of a logger made by createLogger (undefined for any
 * other logger). The per-request log line is a fixed set of flat fields: built as one string it costs a
 * fraction of pino's per-key walk, which also runs the redaction's wildcard stringifier on every key
 * (bench/README.md, "Toward issue 14"). The caller checks the level (logger.isLevelEnabled) and owns what
 * `props` contains: redaction does not see these lines, so they must never carry a secret.
 *
 * Lines are held and reach the destination together: at the end of the event-loop turn for a given
 * destination, within STDOUT_BATCH_MS (or once MAX_HELD lines wait) for stdout. So a line from pino itself
 * may come out ahead of request lines written just before it. Lines still held when the process exits are
 * written synchronously then.
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

/** Held lines that make a batch go out at once, however recent the first: bounds the memory a burst holds. */
const MAX_HELD = 512;

/**
 * The longest run of whole lines handed to stdout's SonicBoom in one write, in characters: its `maxWrite` (bytes), the size up to which
 * it groups what it is given into one system write. Given line by line, it measured the byte length of its
 * growing buffer on every line (a scan and a flatten of up to 16 KB per line, ~8 µs per request under load)
 * and wrote a batch's first line on its own; given runs of lines, it groups them the same way (a write never
 * splits a line) at a fraction of the cost. Lines are ASCII but for names quoted as given (a tenant, a
 * model): a run with such characters can be a few bytes longer than maxWrite, and is still written whole.
 */
const MAX_RUN = 16_384;

function lineWriterTo(dest: pino.DestinationStream, batchMs: number, inRuns: boolean): LineWriter {
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
      // Never one string for the whole batch: a 20 KB string broke lines when several workers share one pipe
      // (it is not written atomically). Stdout gets runs of whole lines no longer than what its SonicBoom
      // groups into one system write anyway; any other destination gets the lines one by one, as pino writes.
      if (inRuns) writeRuns(dest, lines);
      else for (const line of lines) dest.write(line);
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
      if (batchMs > 0) setTimeout(flush, batchMs).unref();
      else setImmediate(flush);
      if (!exitHooked) {
        exitHooked = true;
        process.once("exit", () => {
          exiting = true;
          writeHeldLinesAtExit();
        });
      }
    }
    held.push(LEVEL_PREFIX[level] + lastIso + AFTER_TIME + props + ',"msg":' + JSON.stringify(msg) + "}\n");
    // The timer already set then finds nothing held and returns.
    if (held.length >= MAX_HELD) flush();
  };
}

/** Writes `lines` as runs of whole lines of at most MAX_RUN characters (a longer line goes alone). */
export function writeRuns(dest: pino.DestinationStream, lines: string[]): void {
  let run = "";
  for (const line of lines) {
    if (run.length > 0 && run.length + line.length > MAX_RUN) {
      dest.write(run);
      run = "";
    }
    run += line;
  }
  if (run.length > 0) dest.write(run);
}
