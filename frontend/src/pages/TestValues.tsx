// "Values for this test": the flow's inputs as the preview will use them; a value typed here is
// for the test only. Saved secrets never reach the browser: they stay masked (the preview masks
// secrets in what it shows anyway, and sends nothing).
import { inputLabel, type FlowInputDef } from '../api/types';
import { useLang, useT } from '../i18n/i18n';
import { testInputs } from './testInputs';

interface Props {
  defs: FlowInputDef[] | undefined;
  saved: Record<string, string> | undefined;
  typed: Record<string, string>;
  onType(key: string, value: string): void;
}

export function TestValues({ defs, saved, typed, onType }: Props) {
  const t = useT();
  const lang = useLang((s) => s.lang);
  const list = testInputs(defs, saved, typed);
  if (list.length === 0) return null;
  const hidden = list.some((i) => i.hidden);
  return (
    <details className="test-values" open={hidden} data-testid="test-values">
      <summary>{t('test.values')}</summary>
      {hidden && <p className="muted small">{t('test.secretHidden')}</p>}
      {list.map(({ def, value, hidden: isHidden }) => {
        const id = `test-value-${def.key}`;
        return (
          <div className="field" key={def.key}>
            <label htmlFor={id}>{inputLabel(def, lang)}</label>
            <input id={id} type={def.secret ? 'password' : 'text'} autoComplete="off"
              placeholder={isHidden ? t('test.savedHidden') : ''} readOnly={isHidden}
              value={isHidden ? '' : value}
              onChange={(e) => onType(def.key, e.target.value)} />
          </div>
        );
      })}
    </details>
  );
}
