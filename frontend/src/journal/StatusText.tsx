import { useT, type MessageKey } from '../i18n/i18n';

const known = new Set(['success', 'failed', 'skipped', 'filtered', 'running']);

/** A run or step status in the user's language, coloured. */
export function StatusText({ status, testId }: { status: string; testId?: string }) {
  const t = useT();
  const label = known.has(status) ? t(`status.${status}` as MessageKey) : status;
  return (
    <span className={`status-${status}`} data-testid={testId} data-status={status}>
      {label}
    </span>
  );
}
