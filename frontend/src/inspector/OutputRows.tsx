// A list whose rows are the step's outputs (a router's routes, KindInfo.outputs_from): one card
// per row with its name (the label of its handle and line), the rest of the row's form (the rule
// rows), moving up and down (the upper one is checked first) and removing. A new row gets an id
// once, never shown: its connections follow it when it is renamed or moved.
import type { ComponentType } from 'react';
import type { Field, Problem } from '../api/types';
import { useLang, useT } from '../i18n/i18n';
import { newOutputId } from '../nodes/outputs';
import { useFlowStore } from '../store/flowStore';
import { messageOnNode, problemsOfField } from '../store/problems';
import { formModel, setPath, type FormItem } from './formModel';
import { newRule } from './ruleModel';

type Row = Record<string, unknown>;

interface FormProps {
  items: FormItem[];
  nodeId: string;
  problems: Problem[];
  onChange: (path: string, v: unknown) => void;
}

/** A new row: each field's default, one empty rule in a rules field, and a fresh id. */
export function newOutputRow(fields: Field[], rows: Row[]): Row {
  const row: Row = { id: newOutputId(rows) };
  for (const f of fields) {
    if (f.type === 'rules') row[f.key] = [newRule()];
    else if (f.default !== undefined) row[f.key] = structuredClone(f.default);
    else if (f.type === 'list') row[f.key] = [];
    else row[f.key] = '';
  }
  return row;
}

/** The rows with row i moved by `by` (-1 up, +1 down); unchanged at the ends. */
export function moveRow<T>(rows: T[], i: number, by: number): T[] {
  const j = i + by;
  if (j < 0 || j >= rows.length) return rows;
  const next = [...rows];
  [next[i], next[j]] = [next[j], next[i]];
  return next;
}

export function OutputRows({ item, nodeId, problems, onChange, Form }: {
  item: FormItem;
  nodeId: string;
  problems: Problem[];
  onChange: (path: string, v: unknown) => void;
  /** the node form, drawing each row's other fields */
  Form: ComponentType<FormProps>;
}) {
  const t = useT();
  const lang = useLang((s) => s.lang);
  const rows = (item.rows ?? []) as Row[];
  const fields = item.rowFields ?? [];
  const rest = fields.filter((f) => f.key !== 'name');
  // from the store, not this render: the rule editor may change two fields of a row in a row
  const current = (): Row[] => {
    const v = useFlowStore.getState().nodes.find((n) => n.id === nodeId)?.data.config?.[item.key];
    return Array.isArray(v) ? (v as Row[]) : rows;
  };
  const set = (next: Row[]) => onChange(item.path, next);
  // adding, moving and removing a route are undone on their own, not with the typing before them
  const reshape = (next: Row[]) => {
    useFlowStore.getState().snapshot();
    set(next);
  };
  const setIn = (i: number, key: string, v: unknown) => set(current().map((r, j) => (j === i ? setPath(r, key, v) : r)));
  return (
    <div className="output-rows" data-testid={`outputs-${item.path}`}>
      <ol className="output-list">
        {rows.map((row, i) => {
          const base = `${item.path}[${i}]`;
          const nameProblems = problemsOfField(problems, nodeId, `${base}.name`);
          return (
            <li key={String(row.id ?? i)} className="output-row" data-testid={`output-row-${i}`}>
              <div className="output-row-head">
                <span className="output-row-number" aria-hidden="true">{i + 1}</span>
                <input type="text" data-testid={`output-name-${i}`} aria-label={t('router.number', { n: i + 1 })}
                  value={typeof row.name === 'string' ? row.name : ''} placeholder={t('router.namePlaceholder')}
                  aria-invalid={nameProblems.length > 0 || undefined} onChange={(e) => setIn(i, 'name', e.target.value)} />
                <button type="button" data-testid={`output-up-${i}`} disabled={i === 0} title={t('router.up')} aria-label={t('router.up')}
                  onClick={() => reshape(moveRow(current(), i, -1))}>↑</button>
                <button type="button" data-testid={`output-down-${i}`} disabled={i === rows.length - 1} title={t('router.down')}
                  aria-label={t('router.down')} onClick={() => reshape(moveRow(current(), i, 1))}>↓</button>
                <button type="button" data-testid={`output-remove-${i}`} title={t('router.remove')} aria-label={t('router.remove')}
                  onClick={() => reshape(current().filter((_, j) => j !== i))}>×</button>
              </div>
              {nameProblems.length > 0 && (
                <ul className="field-problems" data-testid={`problems-${base}.name`}>
                  {nameProblems.map((p, k) => <li key={k}>{messageOnNode(p)}</li>)}
                </ul>
              )}
              <Form items={formModel(rest, row, lang, base)} nodeId={nodeId} problems={problems}
                onChange={(path, v) => setIn(i, path.slice(base.length + 1), v)} />
            </li>
          );
        })}
      </ol>
      <button type="button" data-testid={`outputs-${item.path}-add`} onClick={() => reshape([...current(), newOutputRow(fields, current())])}>
        + {t('router.add')}
      </button>
      <p className="help">{t('router.otherwise')}</p>
    </div>
  );
}
