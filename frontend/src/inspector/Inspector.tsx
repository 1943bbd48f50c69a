// The selected node's form, generated from its kind's fields, and its last test step.
import { useFlowStore } from '../store/flowStore';
import { useCatalog } from '../store/catalog';
import { useLang, useT } from '../i18n/i18n';
import { textIn, type StepTrace } from '../api/types';
import { emptyRow, formModel, parseInput, setPath, type FormItem } from './formModel';

function Json({ value }: { value: unknown }) {
  return <pre className="json">{typeof value === 'string' ? value : JSON.stringify(value, null, 2)}</pre>;
}

function Scalar({ item, onChange, id }: { item: FormItem; onChange: (v: unknown) => void; id: string }) {
  const v = item.value;
  switch (item.control) {
    case 'checkbox':
      return <input id={id} type="checkbox" checked={!!v} onChange={(e) => onChange(parseInput('checkbox', e.target.checked))} />;
    case 'select':
      return (
        <select id={id} value={String(v ?? '')} onChange={(e) => onChange(e.target.value)}>
          {!item.required && <option value="" />}
          {(item.options ?? []).map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      );
    case 'number':
      return (
        <input id={id} type="number" min={item.min} max={item.max} value={v === undefined || v === null ? '' : String(v)}
          onChange={(e) => onChange(parseInput('number', e.target.value))} />
      );
    case 'textarea':
    case 'code':
      return (
        <textarea id={id} className={item.control === 'code' ? 'code' : ''} rows={item.control === 'code' ? 10 : 4}
          spellCheck={item.control !== 'code'} value={typeof v === 'string' ? v : JSON.stringify(v ?? '')}
          onChange={(e) => onChange(e.target.value)} />
      );
    case 'password':
      return <input id={id} type="password" autoComplete="off" value={String(v ?? '')} onChange={(e) => onChange(e.target.value)} />;
    default:
      return <input id={id} type="text" value={typeof v === 'string' || typeof v === 'number' ? String(v) : JSON.stringify(v ?? '')}
        onChange={(e) => onChange(e.target.value)} />;
  }
}

function Table({ item, onChange }: { item: FormItem; onChange: (rows: Record<string, unknown>[]) => void }) {
  const t = useT();
  const columns = item.columns ?? [];
  const rows = item.rows ?? [];
  const setCell = (i: number, key: string, value: unknown) =>
    onChange(rows.map((r, j) => (j === i ? setPath(r, key, value) : r)));
  return (
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
            {columns.map((c) => (
              <td key={c.key}>
                <Scalar id={`${item.path}-${i}-${c.key}`} item={{ ...c, value: row[c.key] }} onChange={(v) => setCell(i, c.key, v)} />
              </td>
            ))}
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
          </td>
        </tr>
      </tfoot>
    </table>
  );
}

function FormFields({ items, onChange }: { items: FormItem[]; onChange: (path: string, v: unknown) => void }) {
  const t = useT();
  return (
    <>
      {items.map((item) => {
        const id = `f-${item.path}`;
        return (
          <div className="field" key={item.path}>
            <label htmlFor={id}>
              {item.label}
              {item.required && <span className="req" title={t('inspector.required')}> *</span>}
            </label>
            {item.control === 'table' ? (
              <Table item={item} onChange={(rows) => onChange(item.path, rows)} />
            ) : item.control === 'group' ? (
              <fieldset>
                <FormFields items={item.children ?? []} onChange={onChange} />
              </fieldset>
            ) : (
              <Scalar id={id} item={item} onChange={(v) => onChange(item.path, v)} />
            )}
            {item.help && <div className="help">{item.help}</div>}
          </div>
        );
      })}
    </>
  );
}

function StepView({ step }: { step: StepTrace }) {
  const t = useT();
  return (
    <section className="step" data-testid="step">
      <h3>{t('inspector.step')}</h3>
      <div>
        {t('inspector.status')}: <b className={`status-${step.status}`}>{step.status}</b>
        {step.branch ? ` (${step.branch})` : ''} · {step.duration_ms} ms
      </div>
      {(step.error_text || step.error) && (
        <div className="error">
          {t('inspector.stepError')}: {step.error_text || step.error}
        </div>
      )}
      {step.input !== undefined && (
        <details open>
          <summary>{t('inspector.input')}</summary>
          <Json value={step.input} />
        </details>
      )}
      {step.output !== undefined && (
        <details open>
          <summary>{t('inspector.output')}</summary>
          <Json value={step.output} />
        </details>
      )}
      {step.http && (
        <details open>
          <summary>{t('inspector.request')}</summary>
          <Json value={step.http} />
        </details>
      )}
      {step.logs && step.logs.length > 0 && (
        <details open>
          <summary>{t('inspector.logs')}</summary>
          <pre className="json">{step.logs.join('\n')}</pre>
        </details>
      )}
    </section>
  );
}

export function Inspector() {
  const t = useT();
  const lang = useLang((s) => s.lang);
  const selectedId = useFlowStore((s) => s.selectedId);
  const node = useFlowStore((s) => s.nodes.find((n) => n.id === s.selectedId));
  const step = useFlowStore((s) => (s.selectedId ? s.steps[s.selectedId] : undefined));
  const traced = useFlowStore((s) => s.trace !== null);
  const updateNode = useFlowStore((s) => s.updateNode);
  const removeNode = useFlowStore((s) => s.removeNode);
  const kind = useCatalog((s) => s.kinds.find((k) => k.kind === node?.data.kind));
  if (!selectedId || !node) return <aside className="inspector"><p className="muted">{t('inspector.empty')}</p></aside>;
  const items = formModel(kind?.fields ?? [], node.data.config, lang);
  return (
    <aside className="inspector" data-testid="inspector">
      <h2>{textIn(kind?.title, lang) || node.data.kind}</h2>
      {kind?.help && <p className="help">{textIn(kind.help, lang)}</p>}
      <div className="field">
        <label htmlFor="node-name">{t('inspector.nodeName')}</label>
        <input id="node-name" type="text" value={node.data.name} onChange={(e) => updateNode(node.id, { name: e.target.value })} />
      </div>
      <div className="muted small">
        {t('inspector.id')}: <code>{node.id}</code>
      </div>
      <FormFields items={items} onChange={(path, v) => updateNode(node.id, { config: setPath(node.data.config, path, v) })} />
      <button type="button" className="danger" onClick={() => removeNode(node.id)}>
        {t('inspector.deleteNode')}
      </button>
      {step ? <StepView step={step} /> : traced ? <p className="muted">{t('inspector.noStep')}</p> : null}
    </aside>
  );
}
