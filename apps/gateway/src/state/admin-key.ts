// The admin API's key, from RUNESTONE_ADMIN_KEY or the config's admin.key / admin.key_hash. Only its
// hash is kept, and a presented key is compared in constant time.
import { timingSafeEqual } from "node:crypto";
import type { RunestoneConfig } from "../config/schema";
import { hashKey } from "./key-store";

export class AdminKey {
  private constructor(private readonly hashes: Buffer[]) {}

  static fromConfig(admin: RunestoneConfig["admin"] | undefined): AdminKey {
    const hashes: Buffer[] = [];
    if (admin?.key) hashes.push(hashKey(admin.key));
    if (admin?.key_hash) hashes.push(Buffer.from(admin.key_hash, "hex"));
    return new AdminKey(hashes);
  }

  get configured(): boolean {
    return this.hashes.length > 0;
  }

  matches(key: string): boolean {
    // No admin key configured: nothing to compare, so no hash (a second SHA-256 on every request).
    if (this.hashes.length === 0) return false;
    const h = hashKey(key);
    let ok = false;
    for (const stored of this.hashes) ok = timingSafeEqual(stored, h) || ok;
    return ok;
  }
}
