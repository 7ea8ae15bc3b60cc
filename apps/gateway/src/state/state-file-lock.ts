// Embedded state has one owner. Two gateways on one SQLite file would share its queue and take (and
// fail) each other's jobs, so the first process to open a file holds an exclusive lock on a sibling
// lock file for as long as it runs, and any other process refuses to start.
//
// The lock is SQLite's own (a POSIX advisory lock on `<file>.lock`, taken by an exclusive-mode
// connection): the kernel drops it when its process dies, so a kill -9'ed owner never blocks a
// restart and a reused PID can never look like a live owner. Who holds it is written next to it
// (`<file>.owner`), only to name the owner in the refusal.
import { readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import Database from "better-sqlite3";

export class StateFileInUseError extends Error {}

interface Held {
  db: Database.Database;
  users: number;
}

/** Locks held by this process, by absolute path: its own connections (state, queue) share one lock. */
const held = new Map<string, Held>();

/** Takes (or joins) this process's ownership of the state file; answers the release, idempotent. */
export function lockStateFile(path: string): () => void {
  const abs = canonical(path);
  const mine = held.get(abs);
  if (mine) mine.users++;
  else held.set(abs, { db: acquire(abs), users: 1 });
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const h = held.get(abs);
    if (!h || --h.users > 0) return;
    held.delete(abs);
    rmSync(`${abs}.owner`, { force: true });
    h.db.close();
  };
}

/**
 * One name per file, whatever the path it was reached by: a symlink to the state file (or to its
 * folder) must meet the same lock. The folder exists by now (the database was opened in it).
 */
export function canonical(path: string): string {
  const abs = resolve(path);
  try {
    return realpathSync(abs);
  } catch {
    return join(realpathSync(dirname(abs)), basename(abs));
  }
}

function acquire(abs: string): Database.Database {
  const db = new Database(`${abs}.lock`, { timeout: 0 });
  try {
    db.pragma("locking_mode = EXCLUSIVE");
    // The first write in exclusive mode takes the file's write lock and keeps it until close.
    db.exec("CREATE TABLE IF NOT EXISTS owner (pid INTEGER); DELETE FROM owner; INSERT INTO owner VALUES (" + process.pid + ");");
  } catch (err) {
    db.close();
    if ((err as { code?: string }).code === "SQLITE_BUSY" || (err as { code?: string }).code === "SQLITE_LOCKED") throw inUse(abs);
    throw err;
  }
  writeFileSync(`${abs}.owner`, `${JSON.stringify({ pid: process.pid, host: hostname(), started_at: new Date().toISOString() })}\n`);
  return db;
}

function inUse(abs: string): StateFileInUseError {
  let owner = "another process";
  try {
    const o = JSON.parse(readFileSync(`${abs}.owner`, "utf8")) as { pid?: number; started_at?: string };
    if (typeof o.pid === "number") owner = `another Runestone process (PID ${o.pid}${o.started_at ? `, started ${o.started_at}` : ""})`;
  } catch {
    // The owner is still writing its note, or it was removed: the lock alone is authoritative.
  }
  return new StateFileInUseError(
    `the embedded state file ${abs} is in use by ${owner}. Embedded state has a single owner: two gateways on one file would take and fail each other's queued jobs. ` +
      `Stop that process, give this gateway a file of its own (state.sqlite_path or RUNESTONE_DATA_FILE; the default .runestone/runestone.db is relative to the working directory), ` +
      `or share state between gateways through Redis (state.redis_url or RUNESTONE_REDIS_URL).`,
  );
}
