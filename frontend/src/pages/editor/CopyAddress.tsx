// The webhook address to paste into the service that sends the requests, with a copy button.
import { useEffect, useRef, useState } from 'react';
import { useT } from '../../i18n/i18n';
import { copyText } from '../../inspector/webhookSetup';

export function CopyAddress({ label, url, testId, oneLine = false, rows = 3 }: { label: string; url: string; testId: string; oneLine?: boolean; rows?: number }) {
  const t = useT();
  const field = useRef<HTMLTextAreaElement & HTMLInputElement>(null);
  const [state, setState] = useState<'' | 'copied' | 'select'>('');
  useEffect(() => {
    if (!state) return;
    const timer = setTimeout(() => setState(''), 2500);
    return () => clearTimeout(timer);
  }, [state]);
  return (
    <div className="field">
      <label htmlFor={testId}>{label}</label>
      <div className="copy-line">
        {/* the whole address shows where there is room: the parameter string is what people check */}
        {oneLine
          ? <input id={testId} data-testid={testId} type="text" readOnly value={url} ref={field} onFocus={(e) => e.target.select()} />
          : <textarea id={testId} data-testid={testId} className="copy-address" readOnly rows={rows} value={url} ref={field} onFocus={(e) => e.target.select()} />}
        <button type="button" data-testid={`${testId}-copy`} onClick={async () => setState((await copyText(url, field.current)) ? 'copied' : 'select')}>
          {t('webhook.copy')}
        </button>
      </div>
      <span className="small muted" role="status" aria-live="polite">
        {state === 'copied' ? t('webhook.copied') : state === 'select' ? t('webhook.copyManually') : ''}
      </span>
    </div>
  );
}
