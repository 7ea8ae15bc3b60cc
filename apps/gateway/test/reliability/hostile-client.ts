// Hostile HTTP clients over raw sockets: a body dripped one byte at a time, a huge body written as fast
// as the socket takes it. Each reports what a client would notice: the answer, when it came, and when
// (or whether) the server closed the connection.
import { readFileSync } from "node:fs";
import { connect, type Socket } from "node:net";

export interface HostileOutcome {
  /** The answer's status, or 0 when none came. */
  status: number;
  /** The answer as received (latin1), headers and body. */
  text: string;
  /** Milliseconds from connecting to the first byte of the answer. */
  answeredMs?: number;
  /** Milliseconds from connecting to the socket closing (by either side). */
  closedMs: number;
  /** The socket was still open when the client gave up (`giveUpMs`). */
  heldOpen: boolean;
}

/** Feeds the request after its head: drips, blasts, or nothing. Stops when `socket` closes. */
export type Feed = (socket: Socket) => void;

/** Writes `head` (request line and headers, with the blank line) and then `feed`s the body. */
export function hostileRequest(port: number, head: string, feed: Feed, giveUpMs: number): Promise<HostileOutcome> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const socket = connect(port, "127.0.0.1");
    let text = "";
    let answeredMs: number | undefined;
    let heldOpen = false;
    const giveUp = setTimeout(() => {
      heldOpen = true;
      socket.destroy();
    }, giveUpMs);
    socket.on("connect", () => {
      socket.write(head);
      feed(socket);
    });
    socket.on("data", (b) => {
      answeredMs ??= performance.now() - t0;
      text += b.toString("latin1");
    });
    // A server that answers and closes while the client still sends resets the connection: not a failure here.
    socket.on("error", () => undefined);
    socket.on("close", () => {
      clearTimeout(giveUp);
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      resolve({ status: m ? Number(m[1]) : 0, text, answeredMs, closedMs: performance.now() - t0, heldOpen });
    });
  });
}

/** One byte every `everyMs` until the socket closes. */
export const drip =
  (everyMs: number, byte = " "): Feed =>
  (socket) => {
    const timer = setInterval(() => {
      if (socket.writable) socket.write(byte);
    }, everyMs);
    socket.once("close", () => clearInterval(timer));
  };

/** Chunked framing, one small chunk every `everyMs`, never the final chunk. */
export const dripChunked = (everyMs: number): Feed => drip(everyMs, "1\r\n \r\n");

/** `body` in slices of `slice` bytes as fast as the socket drains, stopping if the server closes. */
export const blast =
  (body: Buffer, slice = 1 << 20, chunked = false): Feed =>
  (socket) => {
    let at = 0;
    let closed = false;
    socket.once("close", () => (closed = true));
    const pump = () => {
      while (!closed && at < body.length) {
        const part = body.subarray(at, at + slice);
        at += part.length;
        const framed = chunked ? Buffer.concat([Buffer.from(`${part.length.toString(16)}\r\n`), part, Buffer.from("\r\n")]) : part;
        if (!socket.write(framed)) return void socket.once("drain", pump);
      }
      if (!closed && chunked) socket.write("0\r\n\r\n");
    };
    pump();
  };

/** The JSON body of an answer with Content-Length framing (what express and our clientError handler send). */
export function jsonOf(outcome: HostileOutcome): { error?: { message?: string; type?: string; code?: string | null; param?: string | null } } | undefined {
  const at = outcome.text.indexOf("\r\n\r\n");
  if (at < 0) return undefined;
  try {
    return JSON.parse(outcome.text.slice(at + 4)) as never;
  } catch {
    return undefined;
  }
}

/** A header of the answer (lower-cased name), or undefined. */
export function headerOf(outcome: HostileOutcome, name: string): string | undefined {
  const head = outcome.text.slice(0, Math.max(0, outcome.text.indexOf("\r\n\r\n")));
  const m = new RegExp(`\\r\\n${name}: *([^\\r\\n]*)`, "i").exec(head);
  return m?.[1];
}

/** User plus system CPU time of a process so far, in ms (from /proc; Linux clock ticks are 10 ms). */
export function cpuMsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // After "(comm) ", field 3 (state) is index 0; utime and stime are fields 14 and 15.
  return (Number(fields[11]) + Number(fields[12])) * 10;
}
