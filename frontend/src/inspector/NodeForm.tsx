// The node's config form, generated from its kind's fields: inputs, selects, key/value tables,
// CodeMirror for code, the variable picker beside templated fields, and each field's problems.
import { Suspense, lazy, useEffect, useRef, type ClipboardEvent } from 'react';
import type { Problem } from '../api/types';
import { useT } from '../i18n/i18n';
import { CleanUpMenu } from '../picker/CleanUpMenu';
import { usePointing } from '../picker/pointing';
import { TemplateInput } from '../picker/TemplateInput';
import { VariablePicker } from '../picker/VariablePicker';
import { fieldMatches, messageOnNode, problemsOfField } from '../store/problems';
import type { CodeFieldHandle } from './CodeField';
import { emptyRow, parseInput, setPath, type FormItem } from './formModel';
import { RuleRows } from './RuleRows';
import { OutputRows } from './OutputRows';
import { PasteRows, usePasteRows } from './PasteRows';

// CodeMirror is loaded with the first code field, so the flows list and the editor open faster.
const CodeField = lazy(() => import('./CodeField').then((m) => ({ default: m.CodeField })));

interface Ctx {
  nodeId: string;
  problems: Problem[];
}

/** A value as the text of an input: nothing for a missing value (a row without that column), JSON for objects. */
export function asText(v: unknown): string {
  if (v === undefined || v === null) return '';
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
}

function Code({ item, id, ctx, onChange }: { item: FormItem; id: string; ctx: Ctx; onChange: (v: unknown) => void }) {
  const t = useT();
  const handle = useRef<CodeFieldHandle>(null);
  const v = item.value;
  return (
    <div className="with-picker" onFocus={item.template ? () => usePointing.getState().setField({
      nodeId: ctx.nodeId, fieldId: id, label: item.label, insert: (text) => handle.current?.insert(text),
    }) : undefined}>
      <Suspense fallback={<div className="code-field muted small">{t('common.loading')}</div>}>
        <CodeField ref={handle} fieldKey={item.path} id={id} label={item.label} js={!item.template}
          value={asText(v)} onChange={onChange} />
      </Suspense>
      {item.template && (
        <VariablePicker nodeId={ctx.nodeId} fieldLabel={item.label} testId={id} onInsert={(text) => handle.current?.insert(text)} />
      )}
      {item.template && (
        <CleanUpMenu value={asText(v)} caret={() => handle.current?.caret() ?? null} fieldLabel={item.label} testId={id}
          onApply={(next) => handle.current?.replace(next.value, next.caret)} />
      )}
    </div>
  );
}

/**
 * A path inside what the step reads (Field.path: a JSON parser's field paths). While it has the
 * focus, a click on a value of the step's input writes that value's path here and names the row
 * after the value when it has no name yet (pointing.ts, path mode).
 */
function PathInput({ id, item, ctx, onChange, onPoint, aria }: {
  id: string; item: FormItem; ctx: Ctx; onChange: (v: unknown) => void;
  onPoint?: (path: string, name: string) => void; aria: Record<string, unknown>;
}) {
  const latest = useRef({ onChange, onPoint, label: item.label });
  latest.current = { onChange, onPoint, label: item.label };
  const active = usePointing((s) => s.field?.fieldId === id);
  useEffect(() => () => usePointing.getState().clear(id), [id]);
  const point = () => usePointing.getState().setField({
    nodeId: ctx.nodeId, fieldId: id, label: latest.current.label,
    insert: (path) => latest.current.onChange(path),
    insertPath: (path, name) => (latest.current.onPoint ? latest.current.onPoint(path, name) : latest.current.onChange(path)),
  });
  return (
    <input id={id} type="text" value={asText(item.value)} className={active ? 'pointing-target' : undefined}
      onFocus={point} onChange={(e) => onChange(e.target.value)} {...aria} />
  );
}

function Scalar({ item, onChange, id, ctx, invalid, describedBy, onPaste, onPoint }: {
  item: FormItem; onChange: (v: unknown) => void; id: string; ctx: Ctx; invalid?: boolean; describedBy?: string;
  onPaste?: (e: ClipboardEvent<HTMLElement>) => void;
  /** a path cell in a table: writes a pointed path, and the name into the row when it has none, at once */
  onPoint?: (path: string, name: string) => void;
}) {
  const v = item.value;
  const aria = { 'aria-invalid': invalid || undefined, 'aria-describedby': describedBy, onPaste };
  if (item.pathOf && !item.template && item.control === 'input') {
    return <PathInput id={id} item={item} ctx={ctx} onChange={onChange} onPoint={onPoint} aria={aria} />;
  }
  switch (item.control) {
    case 'checkbox':
      return <input id={id} type="checkbox" checked={!!v} onChange={(e) => onChange(parseInput('checkbox', e.target.checked))} {...aria} />;
    case 'select':
      return (
        <select id={id} value={String(v ?? '')} onChange={(e) => onChange(e.target.value)} {...aria}>
          {!item.required && <option value="" />}
          {(item.options ?? []).map((o) => (
            <option key={o} value={o}>
              {item.optionLabels?.[o] || o}
            </option>
          ))}
        </select>
      );
    case 'number':
      return (
        <input id={id} type="number" min={item.min} max={item.max} value={v === undefined || v === null ? '' : String(v)}
          onChange={(e) => onChange(parseInput('number', e.target.value))} {...aria} />
      );
    case 'code':
      return <Code item={item} id={id} ctx={ctx} onChange={onChange} />;
    case 'password':
      return <input id={id} type="password" autoComplete="off" value={String(v ?? '')} onChange={(e) => onChange(e.target.value)} {...aria} />;
    case 'textarea':
    case 'input':
      if (item.template) {
        return (
          <TemplateInput id={id} nodeId={ctx.nodeId} label={item.label} value={asText(v)} onChange={onChange}
            multiline={item.control === 'textarea'} invalid={invalid} describedBy={describedBy} onPaste={onPaste} />
        );
      }
      return item.control === 'textarea' ? (
        <textarea id={id} rows={4} value={asText(v)} onChange={(e) => onChange(e.target.value)} {...aria} />
      ) : (
        <input id={id} type="text" value={asText(v)} onChange={(e) => onChange(e.target.value)} {...aria} />
      );
    default:
      return <input id={id} type="text" value={asText(v)} onChange={(e) => onChange(e.target.value)} {...aria} />;
  }
}

function Messages({ id, problems }: { id: string; problems: Problem[] }) {
  if (!problems.length) return null;
  return (
    <ul className="field-problems" id={id} data-testid={id}>
      {problems.map((p, i) => (
        <li key={i}>{messageOnNode(p)}</li>
      ))}
    </ul>
  );
}

function Table({ item, ctx, onChange }: { item: FormItem; ctx: Ctx; onChange: (rows: Record<string, unknown>[]) => void }) {
  const t = useT();
  const columns = item.columns ?? [];
  const rows = item.rows ?? [];
  const setCell = (i: number, key: string, value: unknown) =>
    onChange(rows.map((r, j) => (j === i ? setPath(r, key, value) : r)));
  // a pointed path fills the row's name too when it is empty (the value's last key: client_phone)
  const pointCell = (i: number, key: string) => (path: string, name: string) =>
    onChange(rows.map((r, j) => (j !== i ? r : { ...setPath(r, key, path), ...(!r.key && name && columns.some((c) => c.key === 'key') ? { key: name } : {}) })));
  const mine = problemsOfField(ctx.problems, ctx.nodeId, item.path);
  const paste = usePasteRows(item, rows, onChange);
  return (
    <>
    <table className="kv">
      <thead>
        <tr>
          {columns.map((c) => (
            <th key={c.key}>{c.label}</th>
          ))}
          <th />
        </tr>
      </thead>
      <tbody>
        {rows.map((row, i) => (
          <tr key={i}>
            {columns.map((c) => {
              const cell = `${item.path}[${i}].${c.key}`;
              const bad = mine.some((p) => fieldMatches(p.field, cell));
              return (
                <td key={c.key}>
                  {/* a cell's picker and clean-up menu name the row's key: "Insert … into “phone”" */}
                  <Scalar id={`${item.path}-${i}-${c.key}`} item={{ ...c, value: row[c.key], label: typeof row.key === 'string' && row.key && c.key !== 'key' ? row.key : c.label }}
                    ctx={ctx} invalid={bad} describedBy={bad ? `problems-${item.path}` : undefined} onChange={(v) => setCell(i, c.key, v)}
                    onPaste={c.key === 'key' ? paste.onPaste(i) : undefined} onPoint={c.pathOf ? pointCell(i, c.key) : undefined} />
                </td>
              );
            })}
            <td>
              <button type="button" title={t('inspector.removeRow')} aria-label={t('inspector.removeRow')}
                onClick={() => onChange(rows.filter((_, j) => j !== i))}>×</button>
            </td>
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr>
          <td colSpan={columns.length + 1}>
            <button type="button" onClick={() => onChange([...rows, emptyRow(columns)])}>+ {t('inspector.addRow')}</button>
            {paste.enabled && <PasteRows path={item.path} paste={paste} />}
          </td>
        </tr>
      </tfoot>
    </table>
    </>
  );
}

export function NodeForm({ items, nodeId, problems, onChange }: {
  items: FormItem[]; nodeId: string; problems: Problem[]; onChange: (path: string, v: unknown) => void;
}) {
  const t = useT();
  const ctx: Ctx = { nodeId, problems };
  return (
    <>
      {items.map((item) => {
        // the "all/any" select and the expression of a rules field are drawn inside it
        if (item.partOfRules) return null;
        const id = `f-${item.path}`;
        // a group's members show their own problems; a table shows its rows' under it
        // (output rows show their fields' own; the list and a row as a whole are said here)
        const own = item.control === 'group'
          ? problems.filter((p) => p.node === nodeId && p.field === item.path)
          : item.outputRows
            ? problems.filter((p) => p.node === nodeId && (p.field === item.path || /^\[\d+\]$/.test((p.field ?? '').slice(item.path.length)) && p.field?.startsWith(item.path)))
            : problemsOfField(problems, nodeId, item.path);
        const msgId = `problems-${item.path}`;
        return (
          <div className={`field${own.length ? ' has-problems' : ''}`} key={item.path}>
            {/* a code editor is not a labelable element: its label focuses it by hand */}
            <label htmlFor={id} onClick={item.control === 'code' ? () => document.getElementById(id)?.focus() : undefined}>
              {item.label}
              {item.required && <span className="req" title={t('inspector.required')}> *</span>}
            </label>
            {item.outputRows ? (
              <OutputRows item={item} nodeId={nodeId} problems={problems} onChange={onChange} Form={NodeForm} />
            ) : item.control === 'table' ? (
              <Table item={item} ctx={ctx} onChange={(rows) => onChange(item.path, rows)} />
            ) : item.control === 'rules' ? (
              <RuleRows item={item} nodeId={nodeId} problems={problems} onChange={onChange}
                expressionEditor={item.expression && (
                  <>
                    <label htmlFor={`f-${item.expression.path}`}>{item.expression.label}</label>
                    <Scalar id={`f-${item.expression.path}`} item={item.expression} ctx={ctx}
                      onChange={(v) => onChange(item.expression!.path, v)} />
                  </>
                )} />
            ) : item.control === 'group' ? (
              <fieldset>
                <NodeForm items={item.children ?? []} nodeId={nodeId} problems={problems} onChange={onChange} />
              </fieldset>
            ) : (
              <Scalar id={id} item={item} ctx={ctx} invalid={own.length > 0} describedBy={own.length ? msgId : undefined}
                onChange={(v) => onChange(item.path, v)} />
            )}
            <Messages id={msgId} problems={own} />
            {item.help && <div className="help">{item.help}</div>}
          </div>
        );
      })}
    </>
  );
}
