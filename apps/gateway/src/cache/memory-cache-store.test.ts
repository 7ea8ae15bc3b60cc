import { describe, expect, it } from "vitest";
import { MemoryCacheStore } from "./memory-cache-store";

describe("MemoryCacheStore", () => {
  it("forgets an entry once its TTL has passed, and frees its bytes", async () => {
    let now = 1_000_000;
    const store = new MemoryCacheStore(10_000, () => now);
    store.set("k", '{"a":1}', 60);
    now += 59_999;
    expect(await store.get("k")).toBe('{"a":1}');
    now += 1;
    expect(await store.get("k")).toBeUndefined();
    expect(store.size).toEqual({ entries: 0, bytes: 0 });
  });

  it("counts the UTF-8 bytes of the JSON and its key against the bound", () => {
    const store = new MemoryCacheStore(1_000);
    store.set("k1", `"${"é".repeat(100)}"`, 60);
    expect(store.size.bytes).toBe(202 + 2);
  });

  it("replaces an entry stored again under its key without counting it twice", () => {
    const store = new MemoryCacheStore(1_000);
    store.set("k", "x".repeat(100), 60);
    store.set("k", "y".repeat(50), 60);
    expect(store.size).toEqual({ entries: 1, bytes: 51 });
    expect(store.getSync("k")).toBe("y".repeat(50));
  });

  it("does not store an answer bigger than the whole bound, and keeps what it holds", () => {
    const store = new MemoryCacheStore(100);
    store.set("small", "s".repeat(50), 60);
    store.set("big", "b".repeat(200), 60);
    expect(store.getSync("big")).toBeUndefined();
    expect(store.getSync("small")).toBe("s".repeat(50));
  });
});
