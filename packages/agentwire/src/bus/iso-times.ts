/**
 * Formats event times (`ts`, ISO 8601) once per millisecond: the events appended in the same
 * millisecond share one string, instead of a Date and a formatted string each (issue 19,
 * "allocations per event"). One per event log (memory and Redis engines).
 */
export class IsoTimes {
  private atMs = Number.NaN;
  private text = '';

  format(atMs: number): string {
    if (atMs !== this.atMs) {
      this.atMs = atMs;
      this.text = new Date(atMs).toISOString();
    }
    return this.text;
  }
}
