// The user's API tokens: a new one is shown once; the others by name and prefix, revocable.
import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { useT } from '../../i18n/i18n';
import { ErrorBox } from '../../pages/ErrorBox';
import { keys } from '../../query/keys';
import { authApi } from '../authApi';
import { useTeamChange } from './useTeamChange';

export function Tokens() {
  const t = useT();
  const [tokenName, setTokenName] = useState('');
  const [newToken, setNewToken] = useState('');
  const tokens = useQuery({ queryKey: keys.tokens(), queryFn: authApi.tokens });
  const create = useTeamChange((name: string) => authApi.createToken(name), keys.tokens(), (tok) => {
    setNewToken(tok.token ?? '');
    setTokenName('');
  });
  const revoke = useTeamChange((id: string) => authApi.revokeToken(id), keys.tokens());
  return (
    <section>
      <h2>{t('team.tokens')}</h2>
      <p className="muted small">{t('team.tokensHelp')}</p>
      <ErrorBox error={create.error ?? revoke.error ?? tokens.error} />
      <input aria-label={t('team.tokenName')} placeholder={t('team.tokenName')} value={tokenName}
        data-testid="token-name" onChange={(e) => setTokenName(e.target.value)} />{' '}
      <button type="button" onClick={() => create.mutate(tokenName)} disabled={!tokenName.trim() || create.isPending}
        data-testid="token-create">{t('team.tokenCreate')}</button>
      {newToken && (
        <p>
          {t('team.tokenOnce')}{' '}
          <input readOnly className="wide code" value={newToken} data-testid="token-value" onFocus={(e) => e.target.select()} />
        </p>
      )}
      <ul>
        {(tokens.data ?? []).map((tok) => (
          <li key={tok.id} data-testid="token-row">
            <b>{tok.name}</b> <code data-user-data>{tok.prefix}…</code>{' '}
            <button type="button" className="link" onClick={() => revoke.mutate(tok.id)}>{t('team.tokenRevoke')}</button>
          </li>
        ))}
      </ul>
    </section>
  );
}
