// The flow's state in words (running / stopped) and the one button that starts or stops it.
import { useT, type MessageKey } from '../../i18n/i18n';

export type RunNotice = '' | 'started' | 'savedAndStarted' | 'stopped';

interface Props {
  active: boolean;
  dirty: boolean;
  busy: boolean;
  canEdit: boolean;
  notice: RunNotice;
  onToggle(): void;
}

export function RunSwitch({ active, dirty, busy, canEdit, notice, onToggle }: Props) {
  const t = useT();
  // Starting runs what is saved: with unsaved changes the button says it saves them first.
  const label = active ? t('flows.stop') : dirty ? t('golive.saveAndStart') : t('flows.start');
  return (
    <span className="run-switch">
      <span className={`badge ${active ? 'on' : 'off'}`} data-testid="flow-state" title={t(active ? 'golive.activeHelp' : 'golive.stoppedHelp')}>
        {active ? t('flows.active') : t('flows.stopped')}
      </span>
      <button type="button" className={active ? '' : 'start'} onClick={onToggle} disabled={busy || !canEdit} data-testid="run-toggle">
        {label}
      </button>
      {notice && <span className="small muted" role="status" data-testid="run-notice">{t(`golive.${notice}` as MessageKey)}</span>}
    </span>
  );
}
