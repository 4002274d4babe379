/** Cells headed for a spreadsheet: what the core's exports and the console's chart CSVs share. */

/**
 * Characters that make a spreadsheet treat a text cell as a formula (or split it into one):
 * `= + - @`, tab and carriage return, and the full-width forms some spreadsheet apps
 * normalise to them (OWASP "CSV injection").
 */
const FORMULA_TRIGGERS = new Set(['=', '+', '-', '@', '\t', '\r', '\uFF1D', '\uFF0B', '\uFF0D', '\uFF20']);

/**
 * Formula injection: a text cell starting with a formula trigger is prefixed with `'`, so a
 * spreadsheet shows it as text instead of evaluating it (`=HYPERLINK(...)` stays a string).
 * Only for TEXT values: numbers stay numbers (a negative score is a number cell, never `'-0.5`).
 */
export function safeText(text: string): string {
  return text.length > 0 && FORMULA_TRIGGERS.has(text[0]!) ? `'${text}` : text;
}
