// Breaker openings shared through Redis pub/sub (see resilience/breaker-peers.ts). A message names
// the deployment and how long it is open for, never an absolute time, so clock skew between
// instances does not matter; an instance ignores its own messages. Pub/sub is fire-and-forget: an
// instance that misses a message (reconnecting) only loses the head start, it still opens its own
// breaker on its own failures.
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import type { BreakerPeers } from "../resilience/breaker-peers";

interface Opening {
  from: string;
  provider: string;
  model: string;
  ms: number;
}

export class RedisBreakerPeers implements BreakerPeers {
  private readonly id = randomUUID();
  private readonly channel: string;
  private subscriber?: Redis;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly onError: (err: unknown, what: string) => void = () => undefined,
  ) {
    this.channel = `${prefix}breakers`;
  }

  announce(provider: string, model: string, openForMs: number): void {
    const msg: Opening = { from: this.id, provider, model, ms: Math.round(openForMs) };
    this.redis.publish(this.channel, JSON.stringify(msg)).catch((err) => this.onError(err, "breaker announcement"));
  }

  listen(onOpen: (provider: string, model: string, openForMs: number) => void): void {
    const sub = (this.subscriber ??= this.redis.duplicate());
    // Errors of this connection show in the command connection's reports and in /health.
    sub.on("error", () => undefined);
    sub.on("message", (channel: string, text: string) => {
      if (channel !== this.channel) return;
      const m = parse(text);
      if (m && m.from !== this.id) onOpen(m.provider, m.model, m.ms);
    });
    sub.subscribe(this.channel).catch((err) => this.onError(err, "breaker subscription"));
  }

  async close(): Promise<void> {
    this.subscriber?.disconnect();
  }
}

function parse(text: string): Opening | undefined {
  try {
    const m = JSON.parse(text) as Partial<Opening>;
    if (typeof m.from === "string" && typeof m.provider === "string" && typeof m.model === "string" && typeof m.ms === "number" && m.ms > 0) return m as Opening;
  } catch {
    // Not one of ours.
  }
  return undefined;
}
