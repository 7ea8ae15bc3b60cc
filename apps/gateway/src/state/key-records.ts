// Managed API keys as the state backend stores them: hash and metadata, never the secret.
import { randomBytes } from "node:crypto";
import { hashKey } from "./key-store";
import type { Limits } from "../core/tenant";

export interface StoredKey {
  id: string;
  tenantId: string;
  name: string | null;
  /** Hex SHA-256 of the secret. */
  hash: string;
  prefix: string;
  createdAt: number;
  revokedAt: number | null;
  limits?: Limits;
  actFor: string[];
}

/** What the backend holds for keys and tenant limits, loaded whole into memory on every change. */
export interface KeySnapshot {
  keys: StoredKey[];
  overrides: Map<string, Limits>;
}

export interface KeyRepository {
  load(): Promise<KeySnapshot>;
  insert(key: StoredKey): Promise<void>;
  /** Marks the key revoked (once); answers the record, or undefined when there is no such key. */
  revoke(id: string, at: number): Promise<StoredKey | undefined>;
  setOverrides(tenantId: string, limits: Limits): Promise<void>;
  /** Calls back when any instance changed keys or limits (this one included). */
  watch(onChange: () => void): void;
  close(): Promise<void>;
}

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** 40 base62 characters: about 238 bits of entropy, far past guessing. */
export function newSecret(): string {
  let out = "";
  while (out.length < 40) {
    for (const b of randomBytes(48)) {
      // Rejection sampling keeps the alphabet uniform (248 = 4 * 62).
      if (b < 248 && out.length < 40) out += BASE62[b % 62];
    }
  }
  return `sk-rs-${out}`;
}

export function newKeyRecord(init: { tenantId: string; name?: string | null; limits?: Limits; actFor?: string[] }): { secret: string; record: StoredKey } {
  const secret = newSecret();
  const record: StoredKey = {
    id: `key_${randomBytes(8).toString("hex")}`,
    tenantId: init.tenantId,
    name: init.name ?? null,
    hash: hashKey(secret).toString("hex"),
    prefix: secret.slice(0, 10),
    createdAt: Math.floor(Date.now() / 1000),
    revokedAt: null,
    limits: init.limits && Object.keys(init.limits).length ? init.limits : undefined,
    actFor: init.actFor ?? [],
  };
  return { secret, record };
}

/** Limits as the admin API takes them: each field may be null (no override). */
export type LimitsInput = { [K in keyof Limits]?: Limits[K] | null | (K extends "budget" ? Omit<NonNullable<Limits["budget"]>, "allow_unpriced_models"> & { allow_unpriced_models?: boolean } : never) };

/** Drops null/undefined fields: `{ requests_per_minute: null }` means "no override". A budget is kept whole. */
export function cleanLimits(l: LimitsInput | undefined): Limits {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(l ?? {})) {
    if (typeof v === "number") out[k] = v;
    else if (k === "budget" && v && typeof v === "object") out[k] = { allow_unpriced_models: false, ...v };
  }
  return out as Limits;
}
