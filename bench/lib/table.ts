/** A row of a printed table: column name to cell. */
export type Row = Readonly<Record<string, string | number>>;

/**
 * Renders rows as a fixed-width text table (numbers right-aligned).
 * @param rows - The rows; the first row's keys are the columns.
 */
export function renderTable(rows: readonly Row[]): string {
  const first = rows[0];
  if (first === undefined) return "(no rows)";
  const columns = Object.keys(first);
  const cell = (row: Row, column: string): string => {
    const value = row[column];
    return value === undefined ? "" : String(value);
  };
  const widths = columns.map((column) => Math.max(column.length, ...rows.map((row) => cell(row, column).length)));
  const line = (values: string[], numeric: boolean[]): string =>
    values.map((value, i) => (numeric[i] ? value.padStart(widths[i] ?? 0) : value.padEnd(widths[i] ?? 0))).join("  ");
  const header = line(columns, columns.map(() => false));
  const numeric = columns.map((column) => typeof first[column] === "number");
  return [header, widths.map((w) => "-".repeat(w)).join("  "), ...rows.map((row) => line(columns.map((c) => cell(row, c)), numeric))].join("\n");
}

/**
 * Formats a number with a fixed number of decimals.
 * @param value - The number.
 * @param digits - Decimals.
 */
export function fixed(value: number, digits = 2): string {
  return Number.isFinite(value) ? value.toFixed(digits) : "n/a";
}
