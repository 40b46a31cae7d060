/**
 * The keyboard probe of a latent plane: arrow keys move the probe by a twentieth of the plane
 * (from its centre when there is none yet), Enter or Space decodes where it is. Returns the
 * point to decode, or null for keys it does not handle.
 */
export function keyProbe(
  key: string,
  bounds: [[number, number], [number, number]],
  current: [number, number] | null
): [number, number] | null {
  const [[x0, x1], [y0, y1]] = bounds
  let [x, y] = current ?? [(x0 + x1) / 2, (y0 + y1) / 2]
  if (key === 'ArrowLeft') x -= (x1 - x0) / 20
  else if (key === 'ArrowRight') x += (x1 - x0) / 20
  else if (key === 'ArrowUp') y += (y1 - y0) / 20
  else if (key === 'ArrowDown') y -= (y1 - y0) / 20
  else if (key !== 'Enter' && key !== ' ') return null
  return [x, y]
}
