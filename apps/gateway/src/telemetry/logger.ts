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
 * (bench/README.md, "Toward issue 14"). Lines go to the same stream as pino's, so their order holds.
 * The caller checks the level (logger.isLevelEnabled) and owns what `props` contains: redaction does not
 * see these lines, so they must never carry a secret.
 */
export function lineWriter(logger: Logger): LineWriter | undefined {
  return writers.get(logger);
}

const LEVEL_PREFIX = { debug: '{"level":20,"time":"', info: '{"level":30,"time":"' } as const;
const AFTER_TIME = `","service":${JSON.stringify(SERVICE)}`;

function lineWriterTo(dest: pino.DestinationStream): LineWriter {
  // pino's isoTime makes a Date per line; lines finishing in the same millisecond share one string.
  let lastMs = -1;
  let lastIso = "";
  return (level, props, msg) => {
    const now = Date.now();
    if (now !== lastMs) {
      lastMs = now;
      lastIso = new Date(now).toISOString();
    }
    dest.write(LEVEL_PREFIX[level] + lastIso + AFTER_TIME + props + ',"msg":' + JSON.stringify(msg) + "}\n");
  };
}
