// The owner's invitation links: a new one for a role, the open ones with their end date.
import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { useLang, useT } from '../../i18n/i18n';
import { formatDate } from '../../i18n/dates';
import { ErrorBox } from '../../pages/ErrorBox';
import { keys } from '../../query/keys';
import { authApi, roleKey, type Role } from '../authApi';
import { roles } from './roles';
import { useTeamChange } from './useTeamChange';

export function Invitations() {
  const t = useT();
  const lang = useLang((s) => s.lang);
  const [inviteRole, setInviteRole] = useState<Role>('editor');
  const [link, setLink] = useState('');
  const invitations = useQuery({ queryKey: keys.invitations(), queryFn: authApi.invitations });
  // The browser's own address: the server's public URL may name another host (a proxy).
  const invite = useTeamChange((role: Role) => authApi.invite(role), keys.invitations(),
    (inv) => setLink(`${window.location.origin}${window.location.pathname}#/invite/${inv.token ?? ''}`));
  const withdraw = useTeamChange((id: string) => authApi.withdrawInvitation(id), keys.invitations());
  const list = invitations.data ?? [];
  return (
    <section>
      <h2>{t('team.invite')}</h2>
      <p className="muted small">{t('team.inviteHelp')}</p>
      <ErrorBox error={invite.error ?? withdraw.error ?? invitations.error} />
      <select aria-label={t('team.roleColumn')} value={inviteRole} data-testid="invite-role" onChange={(e) => setInviteRole(e.target.value as Role)}>
        {roles.map((r) => <option key={r} value={r}>{t(roleKey[r])}</option>)}
      </select>{' '}
      <button type="button" className="primary" onClick={() => invite.mutate(inviteRole)} disabled={invite.isPending}
        data-testid="invite-create">{t('team.inviteCreate')}</button>
      {link && (
        <p>
          <input readOnly className="wide" value={link} data-testid="invite-link" onFocus={(e) => e.target.select()} />
        </p>
      )}
      {list.length > 0 && (
        <ul>
          {list.map((inv) => (
            <li key={inv.id}>
              {t(roleKey[inv.role])} · {t('team.expires', { date: formatDate(inv.expires_at, lang) })}{' '}
              <button type="button" className="link" onClick={() => withdraw.mutate(inv.id)}>{t('team.withdraw')}</button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
