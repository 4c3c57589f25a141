// Sorting names for reports: by code unit, so a report reads the same on every runner whatever its
// locale, and without ICU's collator, whose data alone adds megabytes to a run's resident memory
// (docs/performance.md).

export function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
