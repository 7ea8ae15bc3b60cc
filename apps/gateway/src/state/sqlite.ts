// The embedded state backend's SQLite file (better-sqlite3), opened once at startup in WAL mode.
// better-sqlite3 is synchronous: keep its use off the per-request hot path (writes batched or
// deferred with setImmediate), except where durability must be confirmed before answering.
// Opening a file makes this process its owner until every connection to it is closed
// (state-file-lock.ts): another process opening it fails with StateFileInUseError.
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { lockStateFile } from "./state-file-lock";

export type SqliteDb = Database.Database;

export function openSqlite(path: string): SqliteDb {
  if (path === ":memory:") return configure(new Database(path));
  mkdirSync(dirname(path), { recursive: true });
  const release = lockStateFile(path);
  let db: SqliteDb;
  try {
    db = configure(new Database(path));
  } catch (err) {
    release();
    throw err;
  }
  const close = db.close.bind(db);
  db.close = () => {
    close();
    release();
    return db;
  };
  return db;
}

function configure(db: SqliteDb): SqliteDb {
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("busy_timeout = 5000");
  return db;
}
