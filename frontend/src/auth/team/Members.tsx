// The team's members and their roles; the owner changes a role or removes a member.
import { useQuery } from '@tanstack/react-query';
import { useT } from '../../i18n/i18n';
import { ErrorBox } from '../../pages/ErrorBox';
import { keys } from '../../query/keys';
import { authApi, roleKey, type Role } from '../authApi';
import { useSession } from '../session';
import { roles } from './roles';
import { useTeamChange } from './useTeamChange';

export function Members({ isOwner }: { isOwner: boolean }) {
  const t = useT();
  const me = useSession((s) => s.me);
  const members = useQuery({ queryKey: keys.members(), queryFn: authApi.members });
  const setRole = useTeamChange(({ userId, role }: { userId: string; role: Role }) => authApi.setRole(userId, role), keys.members());
  const remove = useTeamChange((userId: string) => authApi.removeMember(userId), keys.members());
  return (
    <section>
      <h2>{t('team.members')}</h2>
      <ErrorBox error={setRole.error ?? remove.error ?? members.error} />
      <table className="list">
        <thead><tr><th>{t('auth.email')}</th><th>{t('team.roleColumn')}</th><th /></tr></thead>
        <tbody>
          {(members.data ?? []).map((m) => (
            <tr key={m.user_id} data-testid="member-row">
              <td>{m.email}</td>
              <td>
                {isOwner ? (
                  <select aria-label={t('team.roleColumn')} value={m.role}
                    onChange={(e) => setRole.mutate({ userId: m.user_id, role: e.target.value as Role })}>
                    {roles.map((r) => <option key={r} value={r}>{t(roleKey[r])}</option>)}
                  </select>
                ) : t(roleKey[m.role])}
              </td>
              <td>
                {isOwner && m.user_id !== me?.user.id && (
                  <button type="button" onClick={() => remove.mutate(m.user_id)}>{t('team.remove')}</button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
