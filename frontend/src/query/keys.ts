// Every query key of the app in one place, so a change (a mutation) invalidates exactly the
// queries it makes stale. Keys are prefixes of each other where one change touches many:
// invalidating flows() also refreshes flow(id); runs(flowId) covers every filter and language.
import type { JournalFilter } from '../journal/journalModel';

export const keys = {
  flows: () => ['flows'] as const,
  flow: (id: string) => ['flows', id] as const,
  templates: () => ['templates'] as const,
  /** runs per day for the charts: one flow's, or every flow's of the team (null) */
  daily: (flowId: string | null) => ['daily', flowId ?? '*'] as const,
  runs: (flowId: string) => ['runs', flowId] as const,
  runPages: (flowId: string, filter: JournalFilter, lang: string) => ['runs', flowId, filter, lang] as const,
  run: (id: string, lang: string) => ['run', id, lang] as const,
  /** one run in every language */
  runAnyLang: (id: string) => ['run', id] as const,
  captured: (flowId: string) => ['captured', flowId] as const,
  versions: (flowId: string) => ['versions', flowId] as const,
  version: (flowId: string, v: number) => ['versions', flowId, v] as const,
  team: () => ['team'] as const,
  members: () => ['team', 'members'] as const,
  invitations: () => ['team', 'invitations'] as const,
  tokens: () => ['team', 'tokens'] as const,
  audit: () => ['team', 'audit'] as const,
  /** an invitation link's team and role, read before signing in */
  invitation: (token: string) => ['invitation', token] as const,
};
