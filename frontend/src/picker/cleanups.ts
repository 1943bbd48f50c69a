// The clean-up menu's model: the common pipes (flows/pipes.go) a user picks from a list instead of
// typing "| digits". A choice is written into the {{…}} the caret is in (or the field's last one);
// picking the same kind again replaces it (another date format, another default), and "as it
// came" removes them all. "JSON in base64" writes two pipes (json | base64), what GetCourse's import
// reads as its params; that encoding always stays last. Pure, so it is unit-tested.

export type CleanUpId = 'digits' | 'lower' | 'number' | 'default' | 'date' | 'base64json' | 'none';

export interface CleanUp {
  /** the menu option's value: the id, or "date:<format>" for a date format */
  value: string;
  id: CleanUpId;
  /** date format for a date choice */
  format?: string;
  /** asks the user for a value first (the default value) */
  asks?: boolean;
}

/** The date formats offered, as the date pipe reads them (flows/pipes.go goLayout). */
export const DATE_FORMATS = ['DD.MM.YYYY', 'YYYY-MM-DD', 'DD.MM.YYYY HH:mm', 'unix', 'iso'] as const;

export const CLEANUPS: CleanUp[] = [
  { value: 'digits', id: 'digits' },
  { value: 'lower', id: 'lower' },
  { value: 'number', id: 'number' },
  { value: 'default', id: 'default', asks: true },
  { value: 'base64json', id: 'base64json' },
  ...DATE_FORMATS.map((f): CleanUp => ({ value: `date:${f}`, id: 'date', format: f })),
  { value: 'none', id: 'none' },
];

export function cleanUpByValue(value: string): CleanUp | undefined {
  return CLEANUPS.find((c) => c.value === value);
}

/** Where a {{…}} sits in a field: [start, end) including the braces, and what is inside. */
export interface ExprSpan {
  start: number;
  end: number;
  inner: string;
}

/** Every {{…}} of a field's text ("}}" inside quotes does not close it). */
export function expressions(text: string): ExprSpan[] {
  const out: ExprSpan[] = [];
  let i = 0;
  while ((i = text.indexOf('{{', i)) >= 0) {
    let quote = '';
    let j = i + 2;
    for (; j < text.length; j++) {
      const c = text[j];
      if (quote) {
        if (c === '\\') j++;
        else if (c === quote) quote = '';
      } else if (c === '"' || c === "'") quote = c;
      else if (c === '}' && text[j + 1] === '}') break;
    }
    if (j >= text.length) break; // not closed
    out.push({ start: i, end: j + 2, inner: text.slice(i + 2, j) });
    i = j + 2;
  }
  return out;
}

/** The expression the caret is in or right after, else the last one; null when the field has none. */
export function expressionAt(text: string, caret: number | null): ExprSpan | null {
  const all = expressions(text);
  if (!all.length) return null;
  if (caret !== null) {
    const hit = all.find((e) => caret >= e.start && caret <= e.end);
    if (hit) return hit;
  }
  return all[all.length - 1];
}

/** Splits "ref | pipe:arg | pipe" on the bars outside quotes, trimmed. */
export function splitPipes(inner: string): string[] {
  const parts: string[] = [];
  let quote = '';
  let start = 0;
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '|') {
      parts.push(inner.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(inner.slice(start).trim());
  return parts;
}

function pipeName(p: string): string {
  const colon = p.indexOf(':');
  return (colon < 0 ? p : p.slice(0, colon)).trim();
}

/** The names of the pipes of the expression a clean-up would change (to show which are on). */
export function pipesAt(text: string, caret: number | null): string[] {
  const e = expressionAt(text, caret);
  return e ? splitPipes(e.inner).slice(1).map(pipeName) : [];
}

/** A quoted pipe argument as the template parser reads it back. */
export function quoteArg(s: string): string {
  return '"' + s.replace(/\\/g, '\\\\').replace(/"/g, '\\"') + '"';
}

/** The pipes "JSON in base64" writes, in order. */
const ENCODE = ['json', 'base64'];

/** Whether the clean-up is on in an expression with these pipe names (for the menu's ✓). */
export function isOn(c: CleanUp, pipes: Set<string>): boolean {
  return c.id === 'base64json' ? ENCODE.every((p) => pipes.has(p)) : pipes.has(c.id);
}

/** The pipe text a clean-up writes. */
export function pipeText(c: CleanUp, arg = ''): string {
  switch (c.id) {
    case 'default':
      return `default:${quoteArg(arg)}`;
    case 'date':
      return `date:${quoteArg(c.format ?? 'DD.MM.YYYY')}`;
    case 'base64json':
      return ENCODE.join(' | ');
    default:
      return c.id;
  }
}

/**
 * Writes a clean-up into the field's expression at the caret. Returns the new text and the caret
 * after the changed expression, or null when the field has no {{…}} to clean up.
 */
export function applyCleanUp(text: string, caret: number | null, c: CleanUp, arg = ''): { value: string; caret: number } | null {
  const e = expressionAt(text, caret);
  if (!e) return null;
  const [ref, ...pipes] = splitPipes(e.inner);
  let kept = c.id === 'none' ? [] : pipes.filter((p) => pipeName(p) !== c.id);
  // a value read as a number or a date is not lower-cased or stripped to digits as well
  if (c.id === 'number' || c.id === 'date') kept = kept.filter((p) => !['digits', 'number', 'date'].includes(pipeName(p)));
  if (c.id === 'digits') kept = kept.filter((p) => pipeName(p) !== 'number');
  // the default fills in what is still empty after the others, so it stays last
  const def = kept.filter((p) => pipeName(p) === 'default');
  kept = kept.filter((p) => pipeName(p) !== 'default');
  // the encoding is the last thing done to the value: the others clean up what is encoded
  const enc = c.id === 'base64json' ? [pipeText(c)] : kept.filter((p) => ENCODE.includes(pipeName(p)));
  kept = kept.filter((p) => !ENCODE.includes(pipeName(p)));
  const next =
    c.id === 'none' ? [] : c.id === 'default' ? [...kept, pipeText(c, arg), ...enc] : c.id === 'base64json' ? [...kept, ...def, ...enc] : [...kept, pipeText(c, arg), ...def, ...enc];
  const expr = `{{${[ref, ...next].join(' | ')}}}`;
  return { value: text.slice(0, e.start) + expr + text.slice(e.end), caret: e.start + expr.length };
}
