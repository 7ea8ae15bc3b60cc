/** One request as the mock received it. */
export interface RecordedRequest {
  id: number;
  method: string;
  path: string;
  /** The request target as sent, query included. */
  url?: string;
  headers: Record<string, string | string[] | undefined>;
  rawBody: string;
  /** The parsed JSON body, or undefined when there was none or it was not JSON. */
  body: unknown;
  receivedAt: number;
  /** Set when the client went away before the response completed. */
  clientClosedAt?: number;
  completed: boolean;
}

interface Waiter {
  predicate: (r: RecordedRequest[]) => boolean;
  resolve: () => void;
  reject: (err: unknown) => void;
  timer: NodeJS.Timeout;
}

/** Keeps the received requests and wakes `waitFor` callers whenever one arrives, completes or is aborted. */
export class Recorder {
  /** Same array for the life of the mock, so tests may hold on to it. */
  readonly requests: RecordedRequest[] = [];
  private nextId = 1;
  private waiters = new Set<Waiter>();

  add(entry: Omit<RecordedRequest, "id" | "completed">): RecordedRequest {
    const rec: RecordedRequest = { id: this.nextId++, ...entry, completed: false };
    this.requests.push(rec);
    this.notify();
    return rec;
  }

  clear(): void {
    this.requests.length = 0;
    this.nextId = 1;
  }

  notify(): void {
    for (const w of this.waiters) this.check(w);
  }

  waitFor(predicate: (r: RecordedRequest[]) => boolean, timeoutMs = 2000): Promise<void> {
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        predicate,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          reject(new Error(`waitFor timed out after ${timeoutMs} ms (${this.requests.length} requests recorded)`));
        }, timeoutMs),
      };
      this.waiters.add(waiter);
      this.check(waiter);
    });
  }

  private check(w: Waiter): void {
    let done: boolean;
    try {
      done = w.predicate(this.requests);
    } catch (err) {
      this.settle(w);
      w.reject(err);
      return;
    }
    if (done) {
      this.settle(w);
      w.resolve();
    }
  }

  private settle(w: Waiter): void {
    clearTimeout(w.timer);
    this.waiters.delete(w);
  }
}
