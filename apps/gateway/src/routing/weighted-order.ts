// Orders a model's deployments for the default policy. Equal weights keep the configured order
// (primary first, then fallbacks); different weights spread load: a weighted random order in which
// each deployment comes first with probability proportional to its weight.

export function orderByWeight<T extends { weight: number }>(items: readonly T[], random: () => number = Math.random): T[] {
  if (items.length < 2 || items.every((d) => d.weight === items[0]!.weight)) return [...items];
  // Efraimidis-Spirakis: sorting by u^(1/w) descending is a weighted sample without replacement.
  return items
    .map((item) => ({ item, key: Math.pow(random(), 1 / item.weight) }))
    .sort((a, b) => b.key - a.key)
    .map((x) => x.item);
}
