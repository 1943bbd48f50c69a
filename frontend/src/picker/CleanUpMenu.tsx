// The clean-up menu beside a templated field: digits only, lower case, number from text, a
// default value (asked for inline), a date format, or the value as it came. The choice is written
// as the pipe of the field's reference, so nobody types "| digits".
import { useState } from 'react';
import { useT } from '../i18n/i18n';
import { applyCleanUp, CLEANUPS, cleanUpByValue, DATE_FORMATS, expressions, pipesAt, type CleanUp } from './cleanups';

// how each date format shows a sample day in the menu
const DATE_SAMPLE: Record<(typeof DATE_FORMATS)[number], string> = {
  'DD.MM.YYYY': '31.01.2025',
  'YYYY-MM-DD': '2025-01-31',
  'DD.MM.YYYY HH:mm': '31.01.2025 14:30',
  unix: '1738333800',
  iso: '2025-01-31T14:30:00Z',
};

export function CleanUpMenu({ value, caret, onApply, fieldLabel, testId }: {
  value: string;
  /** the field's caret when the menu is used (its last one if it lost the focus) */
  caret(): number | null;
  onApply(next: { value: string; caret: number }): void;
  fieldLabel: string;
  testId: string;
}) {
  const t = useT();
  const [asking, setAsking] = useState<CleanUp | null>(null);
  const [arg, setArg] = useState('');
  // without a reference there is nothing to clean up; the menu keeps its place so columns line up
  if (!expressions(value).length) {
    return (
      <select className="cleanup" value="" disabled data-testid={`cleanup-${testId}`}
        aria-label={t('mapping.cleanUpEmpty')} title={t('mapping.cleanUpEmpty')}>
        <option value="">⚙ {t('mapping.cleanUp')}</option>
      </select>
    );
  }
  const on = new Set(pipesAt(value, caret()));
  const apply = (c: CleanUp, a = '') => {
    const next = applyCleanUp(value, caret(), c, a);
    if (next) onApply(next);
  };
  const label = (c: CleanUp) => {
    const name = c.id === 'date' ? DATE_SAMPLE[c.format as keyof typeof DATE_SAMPLE] : t(`mapping.cleanUp.${c.id}`);
    const mark = c.id === 'none' || c.id === 'date' ? '' : on.has(c.id) ? '✓ ' : '';
    return mark + name;
  };
  const done = () => {
    if (asking) apply(asking, arg);
    setAsking(null);
  };
  const plain = CLEANUPS.filter((c) => c.id !== 'date' && c.id !== 'none');
  return (
    <>
      <select className="cleanup" value="" data-testid={`cleanup-${testId}`}
        aria-label={t('mapping.cleanUpFor', { field: fieldLabel })} title={t('mapping.cleanUpFor', { field: fieldLabel })}
        onChange={(e) => {
          const c = cleanUpByValue(e.target.value);
          if (!c) return;
          if (c.asks) {
            setArg('');
            setAsking(c);
          } else apply(c);
        }}>
        <option value="">⚙ {t('mapping.cleanUp')}</option>
        {plain.map((c) => (
          <option key={c.value} value={c.value}>{label(c)}</option>
        ))}
        <optgroup label={t('mapping.cleanUp.date')}>
          {CLEANUPS.filter((c) => c.id === 'date').map((c) => (
            <option key={c.value} value={c.value}>{label(c)}</option>
          ))}
        </optgroup>
        {on.size > 0 && <option value="none">{t('mapping.cleanUp.none')}</option>}
      </select>
      {asking && (
        <div className="cleanup-ask" data-testid={`cleanup-ask-${testId}`}>
          <input type="text" autoFocus aria-label={t('mapping.defaultValue')} placeholder={t('mapping.defaultValue')}
            value={arg} onChange={(e) => setArg(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Escape') {
                e.stopPropagation();
                setAsking(null);
              }
              if (e.key === 'Enter') {
                e.preventDefault();
                done();
              }
            }} />
          <button type="button" onClick={done}>{t('mapping.defaultApply')}</button>
        </div>
      )}
    </>
  );
}
