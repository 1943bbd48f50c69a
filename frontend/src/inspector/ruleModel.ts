// The rule editor's model: which fields a rule can check (the fields of the sample answer for an
// HTTP step's success rule, the references the picker offers for a filter), and the edits of the
// rows. Pure, so it is unit-tested; RuleRows.tsx draws it.
import { flatten, type RefGroup } from '../picker/model';
import { expressionToRules, needsValue, rulesToExpression, type Match, type RuleRow } from './ruleText';

/** One entry of the field menu. */
export interface FieldChoice {
  /** what goes into the rule's left side: an answer field (status) or a reference ({{trigger.params.email}}) */
  value: string;
  /** how the menu shows it */
  text: string;
  /** the value in the sample, shortened, or '' */
  example: string;
}

/** A sample answer's body as a value: JSON text parsed, an object as is, anything else undefined. */
export function answerValue(body: unknown): unknown {
  if (body && typeof body === 'object') return body;
  if (typeof body !== 'string' || !body.trim()) return undefined;
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

/**
 * The fields of an HTTP answer a success rule can check: those of the step's sample answer and of
 * its output in the last Test, then the HTTP status and the answer's whole text.
 */
export function answerFields(sampleBody: unknown, lastOutput: unknown, words: { status: string; body: string }): FieldChoice[] {
  const out: FieldChoice[] = [];
  const seen = new Set<string>();
  const add = (c: FieldChoice) => {
    if (!c.value || seen.has(c.value)) return;
    seen.add(c.value);
    out.push(c);
  };
  const fromTest = lastOutput && typeof lastOutput === 'object' ? (lastOutput as Record<string, unknown>).json : undefined;
  for (const source of [answerValue(sampleBody), fromTest]) {
    if (!source || typeof source !== 'object' || Array.isArray(source)) continue;
    for (const r of flatten(source, [])) add({ value: r.path, text: r.path, example: r.example });
  }
  add({ value: 'response.status', text: words.status, example: '' });
  add({ value: 'response.body', text: words.body, example: '' });
  return out;
}

/** The references a filter's rule can check, as the variable picker groups them. */
export function referenceFields(groups: RefGroup[]): FieldChoice[] {
  const out: FieldChoice[] = [];
  for (const g of groups) {
    for (const r of g.refs) out.push({ value: `{{${r.path}}}`, text: r.label ? `${r.label} (${r.path})` : r.path, example: r.example });
  }
  return out;
}

/** The menu's line for a field: "status — success". */
export function choiceText(c: FieldChoice): string {
  return c.example ? `${c.text} — ${c.example}` : c.text;
}

export function newRule(): RuleRow {
  return { left: '', op: 'equals', right: '' };
}

/**
 * The rows after choosing a field for row i. For a success rule the sample answer is an example
 * of success, so an empty value takes the sample's value (status → "success").
 */
export function chooseField(rows: RuleRow[], i: number, choice: FieldChoice | string, fillExample: boolean): RuleRow[] {
  const c = typeof choice === 'string' ? { value: choice, text: choice, example: '' } : choice;
  return rows.map((r, j) => {
    if (j !== i) return r;
    const next = { ...r, left: c.value };
    if (fillExample && needsValue(r.op) && !(r.right ?? '').trim() && c.example && !c.example.endsWith('…')) next.right = c.example;
    return next;
  });
}

/** The rows after choosing a check: a check without a value drops the value. */
export function chooseOp(rows: RuleRow[], i: number, op: string): RuleRow[] {
  return rows.map((r, j) => (j === i ? { ...r, op, right: needsValue(op) ? r.right ?? '' : '' } : r));
}

export function setValue(rows: RuleRow[], i: number, right: string): RuleRow[] {
  return rows.map((r, j) => (j === i ? { ...r, right } : r));
}

/** Reads a config value as rows, keeping only the three members a rule has. */
export function asRules(v: unknown): RuleRow[] {
  if (!Array.isArray(v)) return [];
  return v.map((r) => {
    const o = r && typeof r === 'object' ? (r as Record<string, unknown>) : {};
    return { left: String(o.left ?? ''), op: String(o.op ?? 'equals'), right: String(o.right ?? '') };
  });
}

/** Switching to the expression: the rows become its text and are cleared (the engine takes one or the other). */
export function toExpression(rows: RuleRow[], match: string | undefined, current: string, answer: boolean): { rules: RuleRow[]; expression: string } {
  const text = rulesToExpression(rows, match, answer);
  return { rules: [], expression: text || current };
}

/** Switching back to rows: the expression read as rows, or null when it says more than rows can. */
export function toRows(expression: string, answer: boolean): { rules: RuleRow[]; match: Match; expression: string } | null {
  if (!expression.trim()) return { rules: [newRule()], match: 'all', expression: '' };
  const parsed = expressionToRules(expression, answer);
  return parsed ? { ...parsed, expression: '' } : null;
}
