// What a Delay step says about its time: "ждал до 01.12.2026 09:00" once it went on, and in a
// Test (which does not wait) "в работе подождёт до …"; while it waits its status says "ждёт до …".
import type { StepTrace } from '../api/types';
import { useLang, useT, type Lang } from '../i18n/i18n';
import { languageOf } from '../i18n/languages';

/** A moment as the reader's clock shows it, day and minute: "01.12.2026 09:00". */
export function untilText(value: string, lang: Lang): string {
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return value;
  return new Intl.DateTimeFormat(languageOf(lang).locale, {
    day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit',
  }).format(d).replace(', ', ' ');
}

/** The note under a Delay step's status once it went on (a waiting one says it in its status);
 * nothing for other steps. */
export function DelayNote({ step }: { step: StepTrace }) {
  const t = useT();
  const lang = useLang((s) => s.lang);
  if (!step.until || step.status === 'waiting') return null;
  const time = untilText(step.until, lang);
  const key = step.no_wait ? 'delay.wouldWait' : 'delay.waitedUntil';
  return <p className="delay-note" data-testid="delay-note" data-until={step.until}>{t(key, { time })}</p>;
}
