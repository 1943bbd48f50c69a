// A step's data (input, output, a captured request) shown as "name: value" lines. While a
// template field of the node being edited has the focus (or had it last), each value is a button
// that inserts its {{reference}} into that field: mapping by pointing. The key of an object or a
// list is a button too, inserting the whole of it (GetCourse's params take a whole object).
import type { ReactNode } from 'react';
import { useT } from '../i18n/i18n';
import { expression } from './model';
import { nameOfPath, parsedPath, refOf, usePointing, type ValueSource } from './pointing';

const MAX_LINES = 400;

export function ValueTree({ value, source, forNode, testId, labels, isInput }: {
  value: unknown;
  /** the data is forNode's own input: a path field (a JSON parser's) may point into it */
  isInput?: boolean;
  /** names people know for some paths ("params.phone" → "Телефон"), shown beside the key */
  labels?: Record<string, string>;
  /** where the data came from; null when its values cannot be referred to from forNode */
  source: ValueSource | null;
  /** the node whose fields may receive the values */
  forNode: string;
  testId?: string;
}) {
  const t = useT();
  const field = usePointing((s) => (s.field && s.field.nodeId === forNode ? s.field : null));
  // a path field (field.insertPath) takes where a value sits in the step's input, so only the input is clickable
  const live = !!(field && source && (!field.insertPath || isInput));
  let lines = 0;

  const leaf = (v: unknown, path: (string | number)[]): ReactNode => {
    const text = v === null ? 'null' : typeof v === 'string' ? v : JSON.stringify(v);
    const shown = text === '' ? '""' : text;
    const plain = <span className={`vt-value${text === '' ? ' muted' : ''}`} data-user-data>{shown}</span>;
    if (!live) return plain;
    if (field!.insertPath) {
      const at = parsedPath(value, path);
      if (at === null) return plain;
      return (
        <button type="button" className="vt-value pick-value" data-path={at} data-user-data
          title={t('jsonpath.insertInto', { path: at, field: field!.label })}
          onMouseDown={(e) => e.preventDefault()}
          onClick={() => field!.insertPath!(at, nameOfPath(path))}>
          {shown}
        </button>
      );
    }
    const ref = expression(refOf(source!, path, value));
    return (
      <button type="button" className="vt-value pick-value" data-ref={ref} data-user-data
        title={t('mapping.insertInto', { ref, field: field!.label })}
        // keep the field's caret: the click must not move the focus before the insertion
        onMouseDown={(e) => e.preventDefault()}
        onClick={() => field!.insert(ref)}>
        {shown}
      </button>
    );
  };

  /** An entry's key: a button inserting the whole object or list under it, else plain. */
  const key = (k: string | number, x: unknown, path: (string | number)[]): ReactNode => {
    const whole = x !== null && typeof x === 'object' && Object.keys(x as object).length > 0;
    if (!live || field!.insertPath || !whole) return <span className="vt-key" data-user-data>{k}</span>;
    const ref = expression(refOf(source!, path, value));
    return (
      <button type="button" className="vt-key pick-key" data-ref={ref} data-user-data
        title={t('mapping.insertWhole', { name: String(k), field: field!.label })}
        onMouseDown={(e) => e.preventDefault()}
        onClick={() => field!.insert(ref)}>
        {k}
      </button>
    );
  };

  const walk = (v: unknown, path: (string | number)[]): ReactNode => {
    if (v !== null && typeof v === 'object') {
      const entries: [string | number, unknown][] = Array.isArray(v) ? v.map((x, i) => [i, x]) : Object.entries(v as object);
      if (entries.length === 0) return leaf(v, path);
      return (
        <ul>
          {entries.map(([k, x]) => {
            if (++lines > MAX_LINES) return lines === MAX_LINES + 1 ? <li key="more" className="muted">…</li> : null;
            return (
              <li key={String(k)}>
                {key(k, x, [...path, k])}
                {labels?.[[...path, k].join('.')] && <span className="vt-label"> ({labels[[...path, k].join('.')]})</span>}
                : {walk(x, [...path, k])}
              </li>
            );
          })}
        </ul>
      );
    }
    return leaf(v, path);
  };

  return (
    <div className={`value-tree${live ? ' pointing' : ''}`} data-testid={testId}>
      {walk(value, [])}
    </div>
  );
}

/** The line over a step's data saying whether and where a click inserts. */
export function PointingHint({ forNode }: { forNode: string }) {
  const t = useT();
  const field = usePointing((s) => (s.field && s.field.nodeId === forNode ? s.field : null));
  return (
    <p className="muted small" data-testid="pointing-hint">
      {field ? t('mapping.clickToInsert', { field: field.label }) : t('mapping.focusFirst')}
    </p>
  );
}
