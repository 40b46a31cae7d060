/**
 * A training speed for status lines: slow runs keep their decimals ("0.55 epochs/s", not a
 * rounded "1 epochs/s"), and very slow ones read as seconds per epoch.
 */
export function formatRate(epochsPerSecond: number): string {
  const r = epochsPerSecond
  if (!Number.isFinite(r) || r <= 0) return '–'
  if (r < 0.1) return `${Math.round(1 / r)} s/epoch`
  if (r < 1) return `${r.toFixed(2)} epochs/s`
  if (r < 10) return `${r.toFixed(1)} epochs/s`
  return `${Math.round(r)} epochs/s`
}
