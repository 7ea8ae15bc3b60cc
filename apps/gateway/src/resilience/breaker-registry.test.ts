// Breaker openings shared between instances (breaker-peers.ts), with a fake peer channel and clock.
import { describe, expect, it } from "vitest";
import { resilienceSchema } from "../config/schema";
import type { BreakerPeers } from "./breaker-peers";
import { BreakerRegistry } from "./breaker-registry";

function setup() {
  let now = 1_000_000;
  const cfg = { ...resilienceSchema.parse({}).breaker, consecutive_failures: 2, open_ms: 1_000, max_open_ms: 60_000 };
  const announced: Array<[string, string, number]> = [];
  let deliver: (provider: string, model: string, ms: number) => void = () => undefined;
  const peers: BreakerPeers = {
    announce: (p, m, ms) => void announced.push([p, m, ms]),
    listen: (onOpen) => void (deliver = onOpen),
    close: async () => undefined,
  };
  const registry = new BreakerRegistry(cfg, {}, () => now);
  const b = registry.get("openai", "gpt-x");
  registry.share(peers);
  return { registry, b, announced, deliver: (p: string, m: string, ms: number) => deliver(p, m, ms), advance: (ms: number) => (now += ms) };
}

describe("breaker openings shared with other instances", () => {
  it("announces an opening caused here, with how long it lasts", () => {
    const { b, announced } = setup();
    for (let i = 0; i < 2; i++) b.onFailure(b.tryAcquire()!);
    expect(b.state).toBe("open");
    expect(announced).toEqual([["openai", "gpt-x", 1_000]]);
  });

  it("announces the whole opening when a tripping failure also carries a longer Retry-After", () => {
    const { b, announced } = setup();
    b.onFailure(b.tryAcquire()!);
    b.onFailure(b.tryAcquire()!, 30_000);
    expect(announced).toEqual([["openai", "gpt-x", 30_000]]);
  });

  it("keeps a failed half-open probe to itself: only openings from closed are news", () => {
    const { b, announced, advance } = setup();
    for (let i = 0; i < 2; i++) b.onFailure(b.tryAcquire()!);
    advance(1_000);
    const probe = b.tryAcquire()!;
    expect(probe.probe).toBe(true);
    b.onFailure(probe);
    expect(b.state).toBe("open");
    expect(announced).toHaveLength(1);
  });

  it("opens on a peer's word for as long, without announcing it back", () => {
    const { b, announced, deliver, advance } = setup();
    deliver("openai", "gpt-x", 5_000);
    expect(b.state).toBe("open");
    expect(b.retryInMs()).toBe(5_000);
    expect(announced).toEqual([]);
    advance(5_000);
    expect(b.state).toBe("half_open");
  });

  it("never shortens an opening in force, and caps a peer's opening at max_open_ms", () => {
    const { b, deliver } = setup();
    deliver("openai", "gpt-x", 20_000);
    deliver("openai", "gpt-x", 2_000);
    expect(b.retryInMs()).toBe(20_000);
    deliver("openai", "gpt-x", 10_000_000);
    expect(b.retryInMs()).toBe(60_000);
  });

  it("ignores openings of deployments this instance does not serve", () => {
    const { registry, deliver } = setup();
    deliver("openai", "not-configured-here", 5_000);
    expect(registry.all().map((x) => x.model)).toEqual(["gpt-x"]);
  });
});

describe("breakers of models outside the catalog", () => {
  const cfg = { ...resilienceSchema.parse({}).breaker, consecutive_failures: 1, open_ms: 1_000, max_open_ms: 60_000 };
  const trip = (b: { tryAcquire(): unknown; onFailure(p: never): void }) => b.onFailure(b.tryAcquire() as never);

  it("are one per model, never more than the bound, dropping the least recently used closed one", () => {
    const registry = new BreakerRegistry(cfg, {}, () => 0, 4);
    registry.get("oai", "catalog-model");
    const first = registry.get("oai", "m-0", true);
    expect(registry.get("oai", "m-1", true)).not.toBe(first);
    for (let i = 0; i < 1_000; i++) {
      registry.get("oai", `m-${i}`, true);
      registry.get("oai", "m-0", true); // kept in use: never the least recently used
      expect(registry.all().length).toBeLessThanOrEqual(1 + 4);
    }
    expect(registry.get("oai", "m-0", true)).toBe(first);
    const models = registry.all().map((b) => b.model);
    expect(models).toContain("catalog-model");
    expect(models).toEqual(expect.arrayContaining(["m-0", "m-999"]));
    expect(models).not.toContain("m-1");
  });

  it("never drop an open breaker, and a half-open one only when no closed one is left; with every slot open, a new name shares its provider's overflow breaker", () => {
    let now = 0;
    const events: Array<[string, string]> = [];
    const registry = new BreakerRegistry(cfg, { breakerStateChanged: (e) => void events.push([e.model, e.state]) }, () => now, 3);
    const open = registry.get("oai", "open-1", true);
    trip(open);
    const halfOpen = registry.get("oai", "half-1", true);
    trip(halfOpen);
    now += 1_000;
    expect(halfOpen.state).toBe("half_open");
    trip(open); // open again (a failed probe)
    expect(open.state).toBe("open");
    const closed = registry.get("oai", "closed-1", true);
    for (let i = 0; i < 50; i++) registry.get("oai", `x-${i}`, true);
    // Closed ones went first: the half-open one is still there.
    expect(registry.get("oai", "open-1", true)).toBe(open);
    expect(registry.get("oai", "half-1", true)).toBe(halfOpen);
    expect(registry.all().map((b) => b.model)).not.toContain("closed-1");
    // Slots: open-1, half-1 and the last x-*; trip that one: the half-open one is the only one left to drop.
    trip(registry.get("oai", "x-49", true));
    const a = registry.get("oai", "new-a", true);
    expect(a.model).toBe("new-a");
    expect(registry.all().map((b) => b.model)).not.toContain("half-1");
    // Every slot open now: new names share their provider's overflow breaker.
    trip(a);
    const c = registry.get("oai", "new-c", true);
    const b = registry.get("ant", "new-b", true);
    expect(c.model).toBe("*");
    expect(registry.get("oai", "new-d", true)).toBe(c);
    expect(b.model).toBe("*");
    expect(b).not.toBe(c);
    expect(registry.all().length).toBe(3 + 2);
    // Once their openings are over (half-open), the slots serve new names again: the overflow never sticks.
    now += 120_000;
    expect(registry.get("oai", "new-e", true).model).toBe("new-e");
    // A breaker dropped while a request still held it says nothing any more.
    const before = events.length;
    trip(closed);
    expect(events.length).toBe(before);
  });

  it("keeps a catalog deployment's breaker for good, even when first reached outside the catalog", () => {
    const registry = new BreakerRegistry(cfg, {}, () => 0, 1);
    const b = registry.get("oai", "shared", true);
    expect(registry.get("oai", "shared")).toBe(b);
    for (let i = 0; i < 10; i++) registry.get("oai", `y-${i}`, true);
    expect(registry.get("oai", "shared", true)).toBe(b);
    expect(registry.all().length).toBe(2);
  });
});
