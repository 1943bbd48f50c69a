// The clean-up menu: digits only, lower case, number from text, a value when empty (asked for
// inline), JSON in base64 (GetCourse's import), a date format, or the value as it came. Beside a templated field it rewrites the
// field's reference; on a row of the picker it inserts the reference already cleaned. Either way
// the pipe is written for the user, so nobody types "| digits".
import { useState } from 'react';
import { useT } from '../i18n/i18n';
import { applyCleanUp, CLEANUPS, cleanUpByValue, DATE_FORMATS, expressions, isOn, pipesAt, type CleanUp } from './cleanups';

// how each date format shows a sample day in the menu
const DATE_SAMPLE: Record<(typeof DATE_FORMATS)[number], string> = {
  'DD.MM.YYYY': '31.01.2025',
  'YYYY-MM-DD': '2025-01-31',
  'DD.MM.YYYY HH:mm': '31.01.2025 14:30',
  unix: '1738333800',
  iso: '2025-01-31T14:30:00Z',
};

/** The menu itself; a choice that needs a value (the default) asks for it under the menu first. */
export function CleanUpSelect({ on, onChoose, label, testId, offerNone }: {
  /** the clean-ups already applied, marked ✓ */
  on: Set<string>;
  onChoose(c: CleanUp, arg: string): void;
  label: string;
  testId: string;
  offerNone: boolean;
}) {
  const t = useT();
  const [asking, setAsking] = useState<CleanUp | null>(null);
  const [arg, setArg] = useState('');
  const name = (c: CleanUp) => {
    const text = c.id === 'date' ? DATE_SAMPLE[c.format as keyof typeof DATE_SAMPLE] : t(`mapping.cleanUp.${c.id}`);
    return (c.id !== 'none' && c.id !== 'date' && isOn(c, on) ? '✓ ' : '') + text;
  };
  const done = () => {
    if (asking) onChoose(asking, arg);
    setAsking(null);
  };
  return (
    <>
      <select className="cleanup" value="" data-testid={`cleanup-${testId}`} aria-label={label} title={label}
        onChange={(e) => {
          const c = cleanUpByValue(e.target.value);
          if (!c) return;
          if (c.asks) {
            setArg('');
            setAsking(c);
          } else onChoose(c, '');
        }}>
        <option value="">⚙ {t('mapping.cleanUp')}</option>
        {CLEANUPS.filter((c) => c.id !== 'date' && c.id !== 'none').map((c) => (
          <option key={c.value} value={c.value}>{name(c)}</option>
        ))}
        <optgroup label={t('mapping.cleanUp.date')}>
          {CLEANUPS.filter((c) => c.id === 'date').map((c) => (
            <option key={c.value} value={c.value}>{name(c)}</option>
          ))}
        </optgroup>
        {offerNone && <option value="none">{t('mapping.cleanUp.none')}</option>}
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

/** The menu beside a templated field: it rewrites the reference at the field's caret. */
export function CleanUpMenu({ value, caret, onApply, fieldLabel, testId }: {
  value: string;
  /** the field's caret when the menu is used (its last one if it lost the focus) */
  caret(): number | null;
  onApply(next: { value: string; caret: number }): void;
  fieldLabel: string;
  testId: string;
}) {
  const t = useT();
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
  return (
    <CleanUpSelect on={on} offerNone={on.size > 0} label={t('mapping.cleanUpFor', { field: fieldLabel })} testId={testId}
      onChoose={(c, arg) => {
        const next = applyCleanUp(value, caret(), c, arg);
        if (next) onApply(next);
      }} />
  );
}
