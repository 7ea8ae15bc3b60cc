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
