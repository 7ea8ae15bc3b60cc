// The two documented endpoints the page reads (GET /dashboard/summary and /dashboard/usage), with the
// admin key from this tab's session storage as the bearer token when there is one. The key is never put
// into a URL: not in the address bar, not in a query string.
import type { Schema } from "@runestone/contract";

export type Summary = Schema<"DashboardSummary">;
export type Usage = Schema<"DashboardUsage">;
export type Answer<T> = { ok: true; data: T } | { ok: false; status: number; message: string };

const KEY_ITEM = "runestone.dashboard.admin-key";

export function storedKey(): string | null {
  try {
    return sessionStorage.getItem(KEY_ITEM);
  } catch {
    return null;
  }
}

export function storeKey(key: string | null): void {
  if (key) sessionStorage.setItem(KEY_ITEM, key);
  else sessionStorage.removeItem(KEY_ITEM);
}

/** `summary` or `usage`, next to the page's own path (so a gateway behind a path prefix works too). */
function endpoint(name: "summary" | "usage"): string {
  const base = location.pathname.endsWith("/") ? location.pathname : `${location.pathname}/`;
  return `${location.origin}${base}${name}`;
}

async function getJson<T>(name: "summary" | "usage"): Promise<Answer<T>> {
  const key = storedKey();
  const res = await fetch(endpoint(name), { headers: key ? { authorization: `Bearer ${key}` } : {}, cache: "no-store", credentials: "omit" });
  if (!res.ok) {
    let message = `HTTP ${res.status}`;
    try {
      message = ((await res.json()) as { error: { message: string } }).error.message;
    } catch {
      // not the error envelope: keep the status
    }
    return { ok: false, status: res.status, message };
  }
  return { ok: true, data: (await res.json()) as T };
}

export const getSummary = () => getJson<Summary>("summary");
export const getUsage = () => getJson<Usage>("usage");
