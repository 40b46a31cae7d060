// Rows of values as CSV (RFC 4180 quoting): the page's exports and the report service's.

export function toCsv(
  header: readonly string[],
  rows: readonly (readonly (string | number)[])[]
): string {
  const cell = (v: string | number): string => {
    const text = String(v)
    return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
  }
  return [header, ...rows].map((row) => row.map(cell).join(',')).join('\r\n') + '\r\n'
}
