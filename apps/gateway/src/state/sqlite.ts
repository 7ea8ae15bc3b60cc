// The embedded state backend's SQLite file (better-sqlite3), opened once at startup in WAL mode.
// better-sqlite3 is synchronous: keep its use off the per-request hot path (writes batched or
// deferred with setImmediate), except where durability must be confirmed before answering.
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";

export type SqliteDb = Database.Database;

export function openSqlite(path: string): SqliteDb {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("busy_timeout = 5000");
  return db;
}
