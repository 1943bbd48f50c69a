import { useLang, useT, type MessageKey } from '../i18n/i18n';
import { untilText } from './DelayNote';

const keys: Record<string, MessageKey> = {
  success: 'status.success',
  failed: 'status.failed',
  skipped: 'status.skipped',
  filtered: 'status.filtered',
  running: 'status.running',
  waiting: 'runs.waiting', // failed so far, will be tried again
};

/** A run or step status in the user's language, coloured. until: a run waiting at a Delay
 * step goes on then ("ждёт до 01.12.2026 09:00"; "ждал до", once a later attempt went on). */
export function StatusText({ status, testId, until, past }: { status: string; testId?: string; until?: string; past?: boolean }) {
  const t = useT();
  const lang = useLang((s) => s.lang);
  const key = keys[status];
  const text = status === 'waiting' && until
    ? t(past ? 'delay.waitedUntil' : 'delay.waitsUntil', { time: untilText(until, lang) })
    : key ? t(key) : status;
  return (
    <span className={`status-${status}`} data-testid={testId} data-status={status} data-until={until}>
      {text}
    </span>
  );
}
