import { useT, type MessageKey } from '../i18n/i18n';

const keys: Record<string, MessageKey> = {
  success: 'status.success',
  failed: 'status.failed',
  skipped: 'status.skipped',
  filtered: 'status.filtered',
  running: 'status.running',
  waiting: 'runs.waiting', // failed so far, will be tried again
};

/** A run or step status in the user's language, coloured. */
export function StatusText({ status, testId }: { status: string; testId?: string }) {
  const t = useT();
  const key = keys[status];
  return (
    <span className={`status-${status}`} data-testid={testId} data-status={status}>
      {key ? t(key) : status}
    </span>
  );
}
