// The team: members and their roles, invitation links, the user's API tokens.
import { useCallback, useEffect, useState } from 'react';
import { dictionaries, useLang, useT, type MessageKey } from '../i18n/i18n';
import { formatDate, formatDateTime } from '../i18n/dates';
import { ErrorBox } from '../pages/ErrorBox';
import { authApi, roleKey, type ApiToken, type AuditEntry, type Invitation, type Member, type Role } from './authApi';
import { allows, useRole, useSession } from './session';

const roles: Role[] = ['viewer', 'editor', 'owner'];

/** An audit entry in words: "created a flow", "flow «Leads»", a role by its name, a version by number. */
function AuditRow({ a }: { a: AuditEntry }) {
  const t = useT();
  const lang = useLang((s) => s.lang);
  const known = (k: string) => k in dictionaries.en;
  const actionKey = `words.audit.${a.action}`;
  const objectKey = `words.object.${a.object_type}`;
  const detail = !a.detail ? '' : a.detail in roleKey ? t(roleKey[a.detail as Role])
    : /^\d+$/.test(a.detail) ? t('words.version', { version: a.detail }) : a.detail;
  return (
    <tr>
      <td>{formatDateTime(a.at, lang)}</td>
      <td>{a.email}</td>
      <td>{known(actionKey) ? t(actionKey as MessageKey) : <code>{a.action}</code>}</td>
      <td className="small">
        {known(objectKey) ? t(objectKey as MessageKey) : a.object_type}{' '}
        <span className="muted" data-user-data>{a.object_id}</span>{detail ? ` (${detail})` : ''}
      </td>
    </tr>
  );
}

export function TeamPage() {
  const t = useT();
  const lang = useLang((s) => s.lang);
  const role = useRole();
  const me = useSession((s) => s.me);
  const isOwner = allows(role, 'owner');
  const [members, setMembers] = useState<Member[]>([]);
  const [invitations, setInvitations] = useState<Invitation[]>([]);
  const [tokens, setTokens] = useState<ApiToken[]>([]);
  const [inviteRole, setInviteRole] = useState<Role>('editor');
  const [link, setLink] = useState('');
  const [tokenName, setTokenName] = useState('');
  const [newToken, setNewToken] = useState('');
  const [audit, setAudit] = useState<AuditEntry[]>([]);
  const [error, setError] = useState<unknown>(null);

  const reload = useCallback(async () => {
    try {
      setMembers(await authApi.members());
      setTokens(await authApi.tokens());
      if (isOwner) {
        setInvitations(await authApi.invitations());
        setAudit(await authApi.audit());
      }
    } catch (err) {
      setError(err);
    }
  }, [isOwner]);
  useEffect(() => {
    void reload();
  }, [reload]);

  const act = async (p: Promise<unknown>) => {
    setError(null);
    try {
      await p;
      await reload();
    } catch (err) {
      setError(err);
    }
  };
  const invite = async () => {
    setError(null);
    try {
      const inv = await authApi.invite(inviteRole);
      // The browser's own address: the server's public URL may name another host (a proxy).
      setLink(`${window.location.origin}${window.location.pathname}#/invite/${inv.token ?? ''}`);
      await reload();
    } catch (err) {
      setError(err);
    }
  };
  const createToken = async () => {
    setError(null);
    try {
      const tok = await authApi.createToken(tokenName);
      setNewToken(tok.token ?? '');
      setTokenName('');
      await reload();
    } catch (err) {
      setError(err);
    }
  };
  const team = me?.teams.find((x) => x.id === me.team);

  return (
    <main className="page team-page">
      <h1>{t('team.title', { team: team?.name ?? '' })}</h1>
      <ErrorBox error={error} />
      <section>
        <h2>{t('team.members')}</h2>
        <table className="list">
          <thead><tr><th>{t('auth.email')}</th><th>{t('team.roleColumn')}</th><th /></tr></thead>
          <tbody>
            {members.map((m) => (
              <tr key={m.user_id} data-testid="member-row">
                <td>{m.email}</td>
                <td>
                  {isOwner ? (
                    <select aria-label={t('team.roleColumn')} value={m.role} onChange={(e) => act(authApi.setRole(m.user_id, e.target.value as Role))}>
                      {roles.map((r) => <option key={r} value={r}>{t(roleKey[r])}</option>)}
                    </select>
                  ) : t(roleKey[m.role])}
                </td>
                <td>
                  {isOwner && m.user_id !== me?.user.id && (
                    <button type="button" onClick={() => act(authApi.removeMember(m.user_id))}>{t('team.remove')}</button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      {isOwner && (
        <section>
          <h2>{t('team.invite')}</h2>
          <p className="muted small">{t('team.inviteHelp')}</p>
          <select aria-label={t('team.roleColumn')} value={inviteRole} data-testid="invite-role" onChange={(e) => setInviteRole(e.target.value as Role)}>
            {roles.map((r) => <option key={r} value={r}>{t(roleKey[r])}</option>)}
          </select>{' '}
          <button type="button" className="primary" onClick={invite} data-testid="invite-create">{t('team.inviteCreate')}</button>
          {link && (
            <p>
              <input readOnly className="wide" value={link} data-testid="invite-link" onFocus={(e) => e.target.select()} />
            </p>
          )}
          {invitations.length > 0 && (
            <ul>
              {invitations.map((inv) => (
                <li key={inv.id}>
                  {t(roleKey[inv.role])} · {t('team.expires', { date: formatDate(inv.expires_at, lang) })}{' '}
                  <button type="button" className="link" onClick={() => act(authApi.withdrawInvitation(inv.id))}>{t('team.withdraw')}</button>
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
      <section>
        <h2>{t('team.tokens')}</h2>
        <p className="muted small">{t('team.tokensHelp')}</p>
        <input aria-label={t('team.tokenName')} placeholder={t('team.tokenName')} value={tokenName}
          data-testid="token-name" onChange={(e) => setTokenName(e.target.value)} />{' '}
        <button type="button" onClick={createToken} disabled={!tokenName.trim()} data-testid="token-create">{t('team.tokenCreate')}</button>
        {newToken && (
          <p>
            {t('team.tokenOnce')}{' '}
            <input readOnly className="wide code" value={newToken} data-testid="token-value" onFocus={(e) => e.target.select()} />
          </p>
        )}
        <ul>
          {tokens.map((tok) => (
            <li key={tok.id} data-testid="token-row">
              <b>{tok.name}</b> <code data-user-data>{tok.prefix}…</code>{' '}
              <button type="button" className="link" onClick={() => act(authApi.revokeToken(tok.id))}>{t('team.tokenRevoke')}</button>
            </li>
          ))}
        </ul>
      </section>
      {isOwner && (
        <section>
          <h2>{t('team.audit')}</h2>
          <table className="list" data-testid="audit-log">
            <thead><tr><th>{t('team.auditWhen')}</th><th>{t('auth.email')}</th><th>{t('team.auditAction')}</th><th>{t('team.auditObject')}</th></tr></thead>
            <tbody>
              {audit.map((a, i) => <AuditRow key={i} a={a} />)}
            </tbody>
          </table>
        </section>
      )}
    </main>
  );
}
