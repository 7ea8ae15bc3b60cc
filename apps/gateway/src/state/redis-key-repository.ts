// Managed keys and tenant limit overrides shared through Redis. A change is announced on a pub/sub
// channel so every instance reloads at once; a version counter polled every second catches any
// message lost while a subscriber reconnects, so a revocation is never missed for long.
import type { Redis } from "ioredis";
import type { KeyRepository, KeySnapshot, StoredKey } from "./key-records";
import type { Limits } from "../core/tenant";

const POLL_MS = 1_000;

export class RedisKeyRepository implements KeyRepository {
  private readonly keysKey: string;
  private readonly limitsKey: string;
  private readonly versionKey: string;
  private readonly channel: string;
  private subscriber?: Redis;
  private poll?: NodeJS.Timeout;
  private lastVersion: string | null = null;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.keysKey = `${prefix}keys`;
    this.limitsKey = `${prefix}tenant_limits`;
    this.versionKey = `${prefix}keys:version`;
    this.channel = `${prefix}keys:changed`;
  }

  async load(): Promise<KeySnapshot> {
    const [keysRaw, limitsRaw, version] = await Promise.all([
      this.redis.hgetall(this.keysKey),
      this.redis.hgetall(this.limitsKey),
      this.redis.get(this.versionKey),
    ]);
    this.lastVersion = version;
    const keys = Object.values(keysRaw)
      .map((v) => JSON.parse(v) as StoredKey)
      .sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
    const overrides = new Map(Object.entries(limitsRaw).map(([t, v]) => [t, JSON.parse(v) as Limits]));
    return { keys, overrides };
  }

  async insert(k: StoredKey): Promise<void> {
    await this.redis.hset(this.keysKey, k.id, JSON.stringify(k));
    await this.announce();
  }

  async revoke(id: string, at: number): Promise<StoredKey | undefined> {
    const raw = await this.redis.hget(this.keysKey, id);
    if (!raw) return undefined;
    const k = JSON.parse(raw) as StoredKey;
    if (k.revokedAt === null) {
      k.revokedAt = at;
      await this.redis.hset(this.keysKey, id, JSON.stringify(k));
      await this.announce();
    }
    return k;
  }

  async setOverrides(tenantId: string, limits: Limits): Promise<void> {
    if (Object.keys(limits).length) await this.redis.hset(this.limitsKey, tenantId, JSON.stringify(limits));
    else await this.redis.hdel(this.limitsKey, tenantId);
    await this.announce();
  }

  watch(onChange: () => void): void {
    const sub = (this.subscriber ??= this.redis.duplicate());
    // Errors of this connection show in the command connection's reports and in /health.
    sub.on("error", () => undefined);
    sub.on("message", (channel: string) => {
      if (channel === this.channel) onChange();
    });
    sub.subscribe(this.channel).catch(() => undefined);
    this.poll = setInterval(() => {
      this.redis.get(this.versionKey).then(
        (v) => {
          if (v !== this.lastVersion) onChange();
        },
        () => undefined,
      );
    }, POLL_MS);
    this.poll.unref();
  }

  async close(): Promise<void> {
    clearInterval(this.poll);
    if (this.subscriber) this.subscriber.disconnect();
  }

  private async announce(): Promise<void> {
    await this.redis.incr(this.versionKey);
    await this.redis.publish(this.channel, "1");
  }
}
