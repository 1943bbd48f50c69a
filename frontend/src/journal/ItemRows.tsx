// The items of a For each loop as rows — "Элемент 1 ✓ успешно", "Элемент 2 ✗ ошибка: …" — on
// the run page and in the editor's preview; a row opens to the item and, given `detail`, its steps.
import type { ReactNode } from 'react';
import { textIn } from '../api/types';
import { useLang, useT } from '../i18n/i18n';
import { StatusText } from './StatusText';
import { itemGlance, type ItemRow } from './items';
import './items.css';

const MARKS: Record<string, string> = { success: '✓', failed: '✗', filtered: '–', skipped: '–' };

export function ItemRows({ rows, detail }: { rows: ItemRow[]; detail?: (row: ItemRow) => ReactNode }) {
  const t = useT();
  const lang = useLang((s) => s.lang);
  const failed = rows.filter((r) => r.status === 'failed').length;
  const ok = rows.filter((r) => r.status === 'success').length;
  return (
    <div className="item-rows" data-testid="item-rows">
      <h4>{rows.length === 0 ? t('loop.noItems') : t('loop.counts', { count: rows.length, ok, failed })}</h4>
      <ol>
        {rows.map((r) => (
          <li key={r.index} className={`item-row st-${r.status}`} data-testid="item-row" data-index={r.index} data-status={r.status}>
            <details>
              <summary>
                <span className="item-mark" aria-hidden="true">{MARKS[r.status] ?? '·'}</span>
                <b>{t('loop.item', { n: r.index })}</b> <StatusText status={r.status} />
                {r.item !== undefined && <span className="muted small item-glance" data-user-data>{itemGlance(r.item)}</span>}
                {(r.error || r.errorRaw) && <span className="error item-error">{r.error ? textIn(r.error, lang) : r.errorRaw}</span>}
              </summary>
              {r.item !== undefined && <pre className="json">{JSON.stringify(r.item, null, 2)}</pre>}
              {detail?.(r)}
            </details>
          </li>
        ))}
      </ol>
    </div>
  );
}
