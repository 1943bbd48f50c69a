// The owner's audit log: who changed what, newest first, in words.
import { useQuery } from '@tanstack/react-query';
import { hasMessage, useLang, useT } from '../../i18n/i18n';
import { formatDateTime } from '../../i18n/dates';
import { ErrorBox } from '../../pages/ErrorBox';
import { keys } from '../../query/keys';
import { authApi, roleKey, type AuditEntry, type Role } from '../authApi';

/** An audit entry in words: "created a flow", "flow «Leads»", a role by its name, a version by number. */
function AuditRow({ a }: { a: AuditEntry }) {
  const t = useT();
  const lang = useLang((s) => s.lang);
  const actionKey = `words.audit.${a.action}`;
  const objectKey = `words.object.${a.object_type}`;
  const detail = !a.detail ? '' : a.detail in roleKey ? t(roleKey[a.detail as Role])
    : /^\d+$/.test(a.detail) ? t('words.version', { version: a.detail }) : a.detail;
  return (
    <tr>
      <td>{formatDateTime(a.at, lang)}</td>
      <td>{a.email}</td>
      <td>{hasMessage(actionKey) ? t(actionKey) : <code>{a.action}</code>}</td>
      <td className="small">
        {hasMessage(objectKey) ? t(objectKey) : a.object_type}{' '}
        <span className="muted" data-user-data>{a.object_id}</span>{detail ? ` (${detail})` : ''}
      </td>
    </tr>
  );
}

export function AuditLog() {
  const t = useT();
  const audit = useQuery({ queryKey: keys.audit(), queryFn: authApi.audit });
  return (
    <section>
      <h2>{t('team.audit')}</h2>
      <ErrorBox error={audit.error} />
      <table className="list" data-testid="audit-log">
        <thead><tr><th>{t('team.auditWhen')}</th><th>{t('auth.email')}</th><th>{t('team.auditAction')}</th><th>{t('team.auditObject')}</th></tr></thead>
        <tbody>
          {(audit.data ?? []).map((a, i) => <AuditRow key={i} a={a} />)}
        </tbody>
      </table>
    </section>
  );
}
