// The header's account part: current team (switchable), the team page, sign out.
import { useT } from '../i18n/i18n';
import { authApi } from './authApi';
import { useSession } from './session';
import { mayLeaveAll } from '../router';

export function UserMenu() {
  const t = useT();
  const me = useSession((s) => s.me);
  const signedIn = useSession((s) => s.signedIn);
  const signOut = useSession((s) => s.signOut);
  if (!me) return null;
  const switchTeam = async (team: string) => {
    signedIn(await authApi.switchTeam(team));
    window.location.reload(); // every page reloads its lists for the other team
  };
  return (
    <div className="user-menu">
      {me.teams.length > 1 ? (
        <select aria-label={t('auth.team')} value={me.team} onChange={(e) => void switchTeam(e.target.value)}>
          {me.teams.map((x) => <option key={x.id} value={x.id}>{x.name}</option>)}
        </select>
      ) : null}
      <span className="muted small" data-testid="user-email">{me.user.email}</span>{' '}
      <button type="button" className="link" onClick={() => mayLeaveAll() && void signOut()} data-testid="signout">{t('auth.signOut')}</button>
    </div>
  );
}

/** Shown above the pages to a viewer (read-only) or to someone in no team. */
export function RoleNotice() {
  const t = useT();
  const me = useSession((s) => s.me);
  if (!me) return null;
  if (!me.role) return <div className="notice" role="status">{t('auth.noTeam')}</div>;
  if (me.role === 'viewer') return <div className="notice" role="status" data-testid="read-only">{t('auth.readOnly')}</div>;
  return null;
}
