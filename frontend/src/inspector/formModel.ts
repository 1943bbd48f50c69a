// A node kind's fields schema → the inspector's form model. Pure, so it is unit-tested.
import type { Field } from '../api/types';
import { textIn } from '../api/types';

export type Control = 'input' | 'password' | 'textarea' | 'code' | 'number' | 'checkbox' | 'select' | 'table' | 'group' | 'rules';

export interface FormItem {
  key: string;
  path: string;
  control: Control;
  label: string;
  help: string;
  required: boolean;
  template: boolean;
  /** a path inside the step's parsed input: a click on an input value writes its path (Field.path) */
  pathOf?: boolean;
  value: unknown;
  options?: string[];
  /** option → its name in the user's language (options without one show as they are) */
  optionLabels?: Record<string, string>;
  min?: number;
  max?: number;
  /** list: the row's columns (one level; nested values in cells are shown as JSON) */
  columns?: FormItem[];
  rows?: Record<string, unknown>[];
  /** object: its members */
  children?: FormItem[];
  /** rules: the sibling "all/any" select and expression the rule editor shows as part of itself */
  match?: FormItem;
  expression?: FormItem;
  /** a sibling shown inside a rules field rather than on its own */
  partOfRules?: boolean;
  /** list: whether its rows are the step's outputs (KindInfo.outputs_from), edited one card per row */
  outputRows?: boolean;
  /** list: the row's fields, for forms of whole rows */
  rowFields?: Field[];
}

export function controlFor(f: Field): Control {
  switch (f.type) {
    case 'string':
      return f.secret ? 'password' : 'input';
    case 'text':
      return 'textarea';
    case 'code':
      return 'code';
    case 'number':
      return 'number';
    case 'bool':
      return 'checkbox';
    case 'select':
      return 'select';
    case 'list':
      return 'table';
    case 'object':
      return 'group';
    case 'rules':
      return 'rules';
    default:
      return 'input';
  }
}

function emptyFor(f: Field): unknown {
  if (f.default !== undefined) return f.default;
  switch (f.type) {
    case 'bool':
      return false;
    case 'number':
      return '';
    case 'list':
    case 'rules':
      return [];
    case 'object':
      return {};
    case 'select':
      return f.options?.[0] ?? '';
    default:
      return '';
  }
}

export function formModel(fields: Field[], config: Record<string, unknown>, lang = 'en', prefix = '', outputsFrom?: string): FormItem[] {
  const items = fields.map((f) => {
    const path = prefix ? `${prefix}.${f.key}` : f.key;
    const present = config[f.key] !== undefined && config[f.key] !== null;
    const value = present ? config[f.key] : emptyFor(f);
    const item: FormItem = {
      key: f.key,
      path,
      control: controlFor(f),
      label: textIn(f.label, lang) || f.key,
      help: textIn(f.help, lang),
      required: !!f.required,
      template: !!f.template,
      value,
    };
    if (f.path) item.pathOf = true;
    if (f.type === 'select') {
      item.options = f.options ?? [];
      if (f.option_labels) item.optionLabels = Object.fromEntries(Object.entries(f.option_labels).map(([o, l]) => [o, textIn(l, lang)]));
    }
    if (f.type === 'number') {
      if (f.min !== undefined) item.min = f.min;
      if (f.max !== undefined) item.max = f.max;
    }
    if (f.type === 'list' || f.type === 'rules') {
      item.columns = formModel(f.fields ?? [], {}, lang);
      item.rows = Array.isArray(value) ? (value as Record<string, unknown>[]) : [];
      item.rowFields = f.fields ?? [];
      if (f.type === 'list' && outputsFrom && f.key === outputsFrom && !prefix) item.outputRows = true;
    }
    if (f.type === 'object') {
      const obj = value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
      item.children = formModel(f.fields ?? [], obj, lang, path);
    }
    if (f.type === 'rules') item.options = f.options ?? [];
    return item;
  });
  // a rules field takes its "all/any" select and its expression in: they are one editor
  fields.forEach((f, i) => {
    if (f.type !== 'rules') return;
    const sibling = (key?: string) => {
      const at = key ? fields.findIndex((g) => g.key === key) : -1;
      if (at < 0) return undefined;
      items[at].partOfRules = true;
      return items[at];
    };
    items[i].match = sibling(f.match);
    items[i].expression = sibling(f.expression);
  });
  return items;
}

/** A new empty row for a list field's columns. */
export function emptyRow(columns: FormItem[]): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const c of columns) {
    if (c.control === 'checkbox') row[c.key] = false;
    else if (c.control === 'select') row[c.key] = c.options?.[0] ?? '';
    else row[c.key] = '';
  }
  return row;
}

/** Converts an edited input's text to the config value for its control. */
export function parseInput(control: Control, raw: string | boolean): unknown {
  if (control === 'checkbox') return !!raw;
  if (control === 'number') {
    const s = String(raw).trim();
    if (s === '') return undefined;
    const n = Number(s);
    return Number.isFinite(n) ? n : s;
  }
  return raw;
}

/** Returns a copy of obj with the value at a dotted path set (undefined removes it). */
export function setPath(obj: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const [head, ...rest] = path.split('.');
  const out = { ...obj };
  if (rest.length === 0) {
    if (value === undefined) delete out[head];
    else out[head] = value;
    return out;
  }
  const child = out[head] && typeof out[head] === 'object' && !Array.isArray(out[head]) ? (out[head] as Record<string, unknown>) : {};
  out[head] = setPath(child, rest.join('.'), value);
  return out;
}
