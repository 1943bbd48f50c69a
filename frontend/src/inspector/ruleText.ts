// Rules as JavaScript: the rows of a filter or of an HTTP step's success rule (left · op · right,
// see flows/rules.go) and the conversion between rows and the equivalent JavaScript expression
// (the "advanced" form). Pure, so it is unit-tested.

export interface RuleRow {
  left: string;
  op: string;
  right: string;
}

export type Match = 'all' | 'any';

/** The checks in the order the engine lists them (flows.ruleOps); their names in the user's
 * language are the op field's option labels in the kind's spec. */
export const RULE_OPS = ['equals', 'not_equals', 'contains', 'not_contains', 'starts_with', 'ends_with',
  'is_empty', 'not_empty', 'matches', 'gt', 'gte', 'lt', 'lte'] as const;

/** Whether a check compares with a value (is_empty and not_empty do not). */
export function needsValue(op: string): boolean {
  return op !== 'is_empty' && op !== 'not_empty';
}

const SIMPLE_REF = /^\{\{\s*([^{}|]+?)\s*\}\}$/;

// ---- rows → JavaScript ----

/** The JavaScript that reads the left side: a reference's path, an answer field as written. */
function leftJS(left: string, answer: boolean): string {
  const l = left.trim();
  if (answer) return l;
  const ref = SIMPLE_REF.exec(l);
  return ref ? ref[1] : JSON.stringify(l);
}

function literalJS(value: string, op: string): string {
  const ref = SIMPLE_REF.exec(value.trim());
  if (ref) return ref[1];
  const v = value.trim();
  if (op === 'equals' || op === 'not_equals') {
    if (v === 'true' || v === 'false') return v;
  }
  if (/^-?\d+(\.\d+)?$/.test(v) && (op === 'equals' || op === 'not_equals' || op.startsWith('g') || op.startsWith('l'))) return v;
  return JSON.stringify(value);
}

function ruleJS(r: RuleRow, answer: boolean): string {
  const a = leftJS(r.left ?? '', answer);
  const v = literalJS(r.right ?? '', r.op);
  switch (r.op) {
    case 'equals':
      return `${a} == ${v}`;
    case 'not_equals':
      return `${a} != ${v}`;
    case 'contains':
      return `String(${a}).includes(${v})`;
    case 'not_contains':
      return `!String(${a}).includes(${v})`;
    case 'starts_with':
      return `String(${a}).startsWith(${v})`;
    case 'ends_with':
      return `String(${a}).endsWith(${v})`;
    case 'is_empty':
      return `!${a}`;
    case 'not_empty':
      return `!!${a}`;
    case 'matches': {
      const p = (r.right ?? '').trim();
      return /^\/.+\/[gimsuy]*$/.test(p) ? `${p}.test(${a})` : `new RegExp(${v}).test(${a})`;
    }
    case 'gt':
      return `${a} > ${v}`;
    case 'gte':
      return `${a} >= ${v}`;
    case 'lt':
      return `${a} < ${v}`;
    case 'lte':
      return `${a} <= ${v}`;
  }
  return `${a} == ${v}`;
}

/**
 * The JavaScript expression that says what the rows say: status == "success" && code == "ok".
 * answer: the left sides are fields of an HTTP answer (the success rule), not {{references}}.
 */
export function rulesToExpression(rules: RuleRow[], match: string | undefined, answer: boolean): string {
  const parts = rules.filter((r) => (r.left ?? '').trim() !== '').map((r) => ruleJS(r, answer));
  return parts.join(match === 'any' ? ' || ' : ' && ');
}

// ---- JavaScript → rows (the simple forms only) ----

const PATH = String.raw`[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*|\[\d+\]|\["[^"\\]*"\])*`;
const LITERAL = String.raw`"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|-?\d+(?:\.\d+)?|true|false|${PATH}`;
const COMPARE = new RegExp(`^(${PATH})\\s*(===|==|!==|!=|>=|<=|>|<)\\s*(${LITERAL})$`);
const METHOD = new RegExp(`^(!)?String\\((${PATH})\\)\\.(includes|startsWith|endsWith)\\((${LITERAL})\\)$`);
const NOT = new RegExp(`^(!!?)\\s*(${PATH})$`);
const COMPARE_OPS: Record<string, string> = { '==': 'equals', '===': 'equals', '!=': 'not_equals', '!==': 'not_equals', '>': 'gt', '>=': 'gte', '<': 'lt', '<=': 'lte' };
const METHOD_OPS: Record<string, [string, string]> = { includes: ['contains', 'not_contains'], startsWith: ['starts_with', 'starts_with'], endsWith: ['ends_with', 'ends_with'] };

function literalText(lit: string): string {
  if (lit.startsWith('"')) return JSON.parse(lit) as string;
  if (lit.startsWith("'")) return JSON.parse('"' + lit.slice(1, -1).replace(/\\'/g, "'").replace(/"/g, '\\"') + '"') as string;
  if (/^-?\d|^true$|^false$/.test(lit)) return lit;
  return `{{${lit}}}`;
}

function leftFromJS(path: string, answer: boolean): string {
  return answer ? path : `{{${path}}}`;
}

/**
 * Reads an expression back as rows when it is made of simple checks joined all by && or all by
 * ||: status == "success", !error, String(email).includes("gmail"). Anything else gives null and
 * stays an expression.
 */
export function expressionToRules(expr: string, answer: boolean): { rules: RuleRow[]; match: Match } | null {
  const src = expr.trim().replace(/;+\s*$/, '');
  if (!src) return null;
  const hasAnd = src.includes('&&');
  const hasOr = src.includes('||');
  if (hasAnd && hasOr) return null;
  const match: Match = hasOr ? 'any' : 'all';
  const rules: RuleRow[] = [];
  for (const raw of src.split(hasOr ? '||' : '&&')) {
    const part = raw.trim();
    let m = COMPARE.exec(part);
    if (m) {
      const [, left, op, lit] = m;
      rules.push({ left: leftFromJS(left, answer), op: COMPARE_OPS[op], right: literalText(lit) });
      continue;
    }
    m = METHOD.exec(part);
    if (m) {
      const [, not, left, method, lit] = m;
      if (not && method !== 'includes') return null;
      rules.push({ left: leftFromJS(left, answer), op: METHOD_OPS[method][not ? 1 : 0], right: literalText(lit) });
      continue;
    }
    m = NOT.exec(part);
    if (m) {
      rules.push({ left: leftFromJS(m[2], answer), op: m[1] === '!' ? 'is_empty' : 'not_empty', right: '' });
      continue;
    }
    return null;
  }
  return { rules, match };
}
