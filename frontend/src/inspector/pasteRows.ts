// Reads a pasted parameter string into key/value rows, so a table (form fields, query, headers)
// gets all its rows from one paste. Pure, so it is unit-tested. Two shapes are read:
//
//   name={object.first_name}&phone={object.phone}     a parameter string (also "?…" or a whole URL)
//   name: Анна                                        lines, "name: value" or "name=value" each
//   phone=+79161234567
//
// A service's own variable ({object.phone} in GetCourse, {{client.phone}} in Klientiks) becomes
// the reference to the trigger's parameter when the trigger's preset lists it; any other text is
// kept as it is. In a parameter string "%xx" escapes are decoded; "+" is kept (people paste
// "phone=+7…" by hand far more often than form-encoded spaces).

export interface PastedRow {
  key: string;
  value: string;
}

export interface PasteResult {
  rows: PastedRow[];
  /** pasted lines or pieces that are not "name=value", shown to the user rather than dropped silently */
  skipped: string[];
}

/** A service variable and the reference it stands for: "{object.phone}" → "{{trigger.params.phone}}". */
export interface VariableMap {
  variable: string;
  reference: string;
}

const MAX_KEY = 200;

/** Indexes of the separator characters of s that stand outside {{…}} and {…}. */
function firstOutsideBraces(s: string, chars: string, from = 0): number {
  let depth = 0;
  for (let i = from; i < s.length; i++) {
    const c = s[i];
    if (c === '{') depth++;
    else if (c === '}') depth = Math.max(0, depth - 1);
    else if (depth === 0 && chars.includes(c)) return i;
  }
  return -1;
}

function splitOutsideBraces(s: string, sep: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (;;) {
    const i = firstOutsideBraces(s, sep, start);
    if (i < 0) {
      out.push(s.slice(start));
      return out;
    }
    out.push(s.slice(start, i));
    start = i + 1;
  }
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s; // a lone "%" is text, not an escape
  }
}

function goodKey(k: string): boolean {
  return k.length > 0 && k.length <= MAX_KEY && !/[{}<>"\n]/.test(k) && !/^\s|\s$/.test(k);
}

/** Replaces every service variable the preset knows with its reference, in one pass. */
export function mapVariables(value: string, vars: VariableMap[]): string {
  if (!vars.length || !value.includes('{')) return value;
  const sorted = [...vars].sort((a, b) => b.variable.length - a.variable.length);
  const re = new RegExp(sorted.map((v) => v.variable.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
  const by = new Map(sorted.map((v) => [v.variable, v.reference]));
  return value.replace(re, (m) => by.get(m) ?? m);
}

/** The part of a pasted URL or "?…" string after its "?", without a "#fragment". */
function queryPart(text: string): string | null {
  const q = text.indexOf('?');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text) || text.startsWith('/')) {
    if (q < 0) return null; // an address with no parameters is not a list of rows
    text = text.slice(q + 1);
  } else if (text.startsWith('?')) {
    text = text.slice(1);
  }
  const hash = firstOutsideBraces(text, '#');
  return hash >= 0 ? text.slice(0, hash) : text;
}

/**
 * Reads pasted text as rows, or returns null when it is not a parameter string or lines of
 * "name=value" (then the paste is left to the browser: plain text into the cell).
 */
export function parsePastedRows(text: string, vars: VariableMap[] = []): PasteResult | null {
  const trimmed = text.replace(/\r\n?/g, '\n').trim();
  if (!trimmed) return null;
  const lines = trimmed.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const rows: PastedRow[] = [];
  const skipped: string[] = [];

  if (lines.length === 1 && firstOutsideBraces(lines[0], '=') >= 0 &&
    (firstOutsideBraces(lines[0], '&') >= 0 || firstOutsideBraces(lines[0], ':') < 0 ||
      firstOutsideBraces(lines[0], '=') < firstOutsideBraces(lines[0], ':') || /^[a-z][a-z0-9+.-]*:\/\//i.test(lines[0]))) {
    // one line with "=": a parameter string
    const q = queryPart(lines[0]);
    if (q === null) return null;
    for (const piece of splitOutsideBraces(q, '&')) {
      if (piece.trim() === '') continue;
      const eq = firstOutsideBraces(piece, '=');
      const key = decode(eq < 0 ? piece : piece.slice(0, eq)).trim();
      const value = eq < 0 ? '' : decode(piece.slice(eq + 1));
      if (goodKey(key)) rows.push({ key, value: mapVariables(value, vars) });
      else skipped.push(piece);
    }
  } else {
    if (lines.length === 1 && /^[a-z][a-z0-9+.-]*:\/\//i.test(lines[0])) return null; // an address
    for (const line of lines) {
      const at = firstOutsideBraces(line, '=:\t');
      if (at < 0) {
        skipped.push(line);
        continue;
      }
      const key = line.slice(0, at).replace(/^[-•*·]\s*/, '').trim();
      const value = line.slice(at + 1).trim();
      if (goodKey(key)) rows.push({ key, value: mapVariables(value, vars) });
      else skipped.push(line);
    }
  }
  if (rows.length === 0) return null;
  return { rows, skipped };
}

/**
 * Puts pasted rows into a table: the row pasted into (at) takes the first one when it is empty,
 * the others follow it. A key the table already had gets the new value instead of a twin; a key
 * repeated within the paste stays repeated (form bodies may repeat keys). Returns the new rows.
 */
export function mergeRows(
  rows: Record<string, unknown>[],
  at: number,
  pasted: PastedRow[],
  blank: () => Record<string, unknown>,
  valueKey: string,
): Record<string, unknown>[] {
  const out = rows.map((r) => ({ ...r }));
  const here = out[at] as Record<string, unknown> | undefined;
  let useHere = !!here && !here.key && !here[valueKey];
  const before = new Set(out.filter((r) => r !== here || !useHere));
  const updated = new Set<Record<string, unknown>>();
  let insertAt = at + 1;
  for (const p of pasted) {
    const same = out.find((r) => before.has(r) && !updated.has(r) && r.key === p.key);
    if (same) {
      same[valueKey] = p.value;
      updated.add(same);
      continue;
    }
    const row = { ...blank(), key: p.key, [valueKey]: p.value };
    if (useHere) {
      out[at] = row;
      useHere = false;
    } else {
      out.splice(Math.min(insertAt, out.length), 0, row);
      insertAt++;
    }
  }
  return out;
}
