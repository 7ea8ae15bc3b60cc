// Managed keys and tenant limit overrides in the embedded SQLite file. Only admin operations and
// (re)loads touch it; request lookups read the in-memory copy.
import type { SqliteDb } from "./sqlite";
import type { KeyRepository, KeySnapshot, StoredKey } from "./key-records";
import type { Limits } from "../core/tenant";

interface KeyRow {
  id: string;
  tenant_id: string;
  name: string | null;
  hash: string;
  prefix: string;
  created_at: number;
  revoked_at: number | null;
  limits: string | null;
  act_for: string;
}

export class SqliteKeyRepository implements KeyRepository {
  private readonly listeners: Array<() => void> = [];

  constructor(private readonly db: SqliteDb) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS api_keys (
        id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, name TEXT, hash TEXT NOT NULL UNIQUE, prefix TEXT NOT NULL,
        created_at INTEGER NOT NULL, revoked_at INTEGER, limits TEXT, act_for TEXT NOT NULL DEFAULT '[]');
      CREATE TABLE IF NOT EXISTS tenant_limits (tenant_id TEXT PRIMARY KEY, limits TEXT NOT NULL);
    `);
  }

  async load(): Promise<KeySnapshot> {
    const keys = (this.db.prepare("SELECT * FROM api_keys ORDER BY created_at, id").all() as KeyRow[]).map(fromRow);
    const overrides = new Map<string, Limits>();
    for (const r of this.db.prepare("SELECT tenant_id, limits FROM tenant_limits").all() as Array<{ tenant_id: string; limits: string }>) {
      overrides.set(r.tenant_id, JSON.parse(r.limits) as Limits);
    }
    return { keys, overrides };
  }

  async insert(k: StoredKey): Promise<void> {
    this.db
      .prepare("INSERT INTO api_keys (id, tenant_id, name, hash, prefix, created_at, revoked_at, limits, act_for) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
      .run(k.id, k.tenantId, k.name, k.hash, k.prefix, k.createdAt, k.revokedAt, k.limits ? JSON.stringify(k.limits) : null, JSON.stringify(k.actFor));
    this.changed();
  }

  async revoke(id: string, at: number): Promise<StoredKey | undefined> {
    this.db.prepare("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL").run(at, id);
    const row = this.db.prepare("SELECT * FROM api_keys WHERE id = ?").get(id) as KeyRow | undefined;
    this.changed();
    return row && fromRow(row);
  }

  async setOverrides(tenantId: string, limits: Limits): Promise<void> {
    if (Object.keys(limits).length) {
      this.db.prepare("INSERT INTO tenant_limits (tenant_id, limits) VALUES (?, ?) ON CONFLICT(tenant_id) DO UPDATE SET limits = excluded.limits").run(tenantId, JSON.stringify(limits));
    } else {
      this.db.prepare("DELETE FROM tenant_limits WHERE tenant_id = ?").run(tenantId);
    }
    this.changed();
  }

  watch(onChange: () => void): void {
    this.listeners.push(onChange);
  }

  async close(): Promise<void> {
    this.listeners.length = 0;
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }
}

function fromRow(r: KeyRow): StoredKey {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    name: r.name,
    hash: r.hash,
    prefix: r.prefix,
    createdAt: r.created_at,
    revokedAt: r.revoked_at,
    limits: r.limits ? (JSON.parse(r.limits) as Limits) : undefined,
    actFor: JSON.parse(r.act_for) as string[],
  };
}
