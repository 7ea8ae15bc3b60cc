import { describe, expect, it } from "vitest";
import { orderByWeight } from "./weighted-order";

describe("weighted order", () => {
  it("keeps the configured order when the weights are equal", () => {
    const items = [{ id: "a", weight: 1 }, { id: "b", weight: 1 }, { id: "c", weight: 1 }];
    expect(orderByWeight(items, () => 0.999).map((x) => x.id)).toEqual(["a", "b", "c"]);
  });

  it("puts each deployment first about as often as its share of the weight", () => {
    const items = [{ id: "a", weight: 3 }, { id: "b", weight: 1 }];
    let seed = 42;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    let a = 0;
    for (let i = 0; i < 4_000; i++) if (orderByWeight(items, random)[0]!.id === "a") a++;
    expect(a / 4_000).toBeGreaterThan(0.7);
    expect(a / 4_000).toBeLessThan(0.8);
  });
});
