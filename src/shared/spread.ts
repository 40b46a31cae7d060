/**
 * At most `count` items of a list, evenly spread, always with the first and the last: which
 * epochs' reconstructions the VAE lab shows, and keeps in a saved session.
 */
export function spreadEvenly<T>(items: readonly T[], count: number): T[] {
  if (items.length <= count) return [...items]
  if (count <= 1) return items.slice(-1)
  const step = (items.length - 1) / (count - 1)
  return Array.from({ length: count }, (_, i) => items[Math.round(i * step)]!)
}
