// The jobs this process is running, each with the controller that aborts its upstream call
// (on cancel, from any instance, or at shutdown).
export const CANCELLED = "cancelled";
export const SHUTDOWN = "shutdown";

export class RunningJobs {
  private readonly controllers = new Map<string, AbortController>();
  private idleWaiters: Array<() => void> = [];

  get size(): number {
    return this.controllers.size;
  }

  start(id: string): AbortController {
    const c = new AbortController();
    this.controllers.set(id, c);
    return c;
  }

  finish(id: string): void {
    this.controllers.delete(id);
    if (this.controllers.size === 0) {
      const w = this.idleWaiters;
      this.idleWaiters = [];
      for (const f of w) f();
    }
  }

  abort(id: string, reason: string): boolean {
    const c = this.controllers.get(id);
    c?.abort(reason);
    return Boolean(c);
  }

  abortAll(reason: string): void {
    for (const c of this.controllers.values()) c.abort(reason);
  }

  idle(timeoutMs: number): Promise<boolean> {
    if (this.controllers.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(false), timeoutMs);
      this.idleWaiters.push(() => {
        clearTimeout(t);
        resolve(true);
      });
    });
  }
}
