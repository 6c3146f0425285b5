// Medians and ranges over runs.

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** `{ median, min, max }` of one field over a list of run results. */
export function summarise(runs, field) {
  const values = runs.map((run) => run[field]);
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}
