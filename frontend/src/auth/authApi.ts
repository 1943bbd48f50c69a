// Account, team and token calls (server/api/auth.go, team.go, tokens.go); their shapes are
// generated from server/api/views.go (types.ts).
import { call } from '../api/client';
import type { AuditView, AuthState, InvitationView, MemberView, MeView, Role, TokenView } from '../api/types';

export type {
  Role,
  /** The signed-in user with their current team and role. */
  MeView as Me,
  /** One of the user's teams. */
  TeamView as TeamInfo,
  MemberView as Member,
  InvitationView as Invitation,
  TokenView as ApiToken,
  AuditView as AuditEntry,
} from '../api/types';

const enc = encodeURIComponent;

export const authApi = {
  state: () => call<AuthState>('GET', '/api/auth/state'),
  me: () => call<MeView>('GET', '/api/auth/me'),
  login: (email: string, password: string) => call<MeView>('POST', '/api/auth/login', { email, password }),
  signup: (email: string, password: string, invitation?: string) =>
    call<MeView>('POST', '/api/auth/signup', invitation ? { email, password, invitation } : { email, password }),
  logout: () => call<void>('POST', '/api/auth/logout'),
  switchTeam: (team: string) => call<MeView>('POST', '/api/auth/team', { team }),
  invitation: (token: string) => call<{ team: string; role: Role }>('GET', `/api/auth/invitations/${enc(token)}`),
  acceptInvitation: (token: string) => call<MeView>('POST', `/api/auth/invitations/${enc(token)}/accept`),

  members: () => call<{ members: MemberView[] | null }>('GET', '/api/members').then((r) => r.members ?? []),
  setRole: (userId: string, role: Role) => call<unknown>('PUT', `/api/members/${enc(userId)}`, { role }),
  removeMember: (userId: string) => call<void>('DELETE', `/api/members/${enc(userId)}`),
  invitations: () => call<{ invitations: InvitationView[] | null }>('GET', '/api/invitations').then((r) => r.invitations ?? []),
  invite: (role: Role) => call<InvitationView>('POST', '/api/invitations', { role }),
  withdrawInvitation: (id: string) => call<void>('DELETE', `/api/invitations/${enc(id)}`),
  tokens: () => call<{ tokens: TokenView[] | null }>('GET', '/api/tokens').then((r) => r.tokens ?? []),
  createToken: (name: string) => call<TokenView>('POST', '/api/tokens', { name }),
  revokeToken: (id: string) => call<void>('DELETE', `/api/tokens/${enc(id)}`),
  audit: () => call<{ entries: AuditView[] | null }>('GET', '/api/audit?limit=100').then((r) => r.entries ?? []),
};

/** The i18n key of each role's name. */
export const roleKey = { viewer: 'team.role.viewer', editor: 'team.role.editor', owner: 'team.role.owner' } as const;
