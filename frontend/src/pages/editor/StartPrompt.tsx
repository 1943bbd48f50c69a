// Shown after a save of a flow that has never run: start receiving requests now, with the
// address to paste into the source service at hand. A band under the toolbar, not a popup: it
// covers nothing, so the user can go on working and answer it later.
import { useT } from '../../i18n/i18n';
import { CopyAddress } from './CopyAddress';

interface Props {
  address: string;
  busy: boolean;
  onStart(): void;
  onDismiss(): void;
}

export function StartPrompt({ address, busy, onStart, onDismiss }: Props) {
  const t = useT();
  return (
    <section className="start-prompt" aria-labelledby="start-prompt-title" data-testid="start-prompt">
      <div>
        {/* a schedule flow has no address: it starts itself at its times */}
        <b id="start-prompt-title">{t(address ? 'golive.promptTitle' : 'schedule.promptTitle')}</b>{' '}
        <span className="small">{t(address ? 'golive.promptText' : 'schedule.promptText')}</span>
      </div>
      <div className="start-prompt-row">
        {address && <CopyAddress label={t('golive.address')} url={address} testId="start-prompt-url" oneLine />}
        <button type="button" className="primary" onClick={onStart} disabled={busy} data-testid="start-prompt-start">{t('flows.start')}</button>
        <button type="button" onClick={onDismiss}>{t('golive.notNow')}</button>
      </div>
    </section>
  );
}
