// The team: members and their roles, invitation links (owner), the user's API tokens, and the
// audit log (owner). Each part loads and changes its own list (auth/team/).
import { useT } from '../i18n/i18n';
import { allows, useRole, useSession } from './session';
import { Members } from './team/Members';
import { Invitations } from './team/Invitations';
import { Tokens } from './team/Tokens';
import { AuditLog } from './team/AuditLog';

export function TeamPage() {
  const t = useT();
  const isOwner = allows(useRole(), 'owner');
  const team = useSession((s) => s.me?.teams.find((x) => x.id === s.me?.team));
  return (
    <main className="page team-page">
      <h1>{t('team.title', { team: team?.name ?? '' })}</h1>
      <Members isOwner={isOwner} />
      {isOwner && <Invitations />}
      <Tokens />
      {isOwner && <AuditLog />}
    </main>
  );
}
