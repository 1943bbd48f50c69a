// Shown after a save of a flow that has never run: start receiving requests now, with the
// address to paste into the source service at hand.
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
    <div className="start-prompt" role="dialog" aria-labelledby="start-prompt-title" data-testid="start-prompt">
      <h3 id="start-prompt-title">{t('golive.promptTitle')}</h3>
      <p className="small">{t('golive.promptText')}</p>
      <CopyAddress label={t('golive.address')} url={address} testId="start-prompt-url" />
      <div className="row-actions">
        <button type="button" className="primary" onClick={onStart} disabled={busy} data-testid="start-prompt-start">{t('flows.start')}</button>
        <button type="button" onClick={onDismiss}>{t('golive.notNow')}</button>
      </div>
    </div>
  );
}
