// Account, team and token calls (server/api/auth.go, team.go, tokens.go).
import { call } from '../api/client';

export type Role = 'viewer' | 'editor' | 'owner';

export interface TeamInfo {
  id: string;
  name: string;
  role: Role;
}

export interface Me {
  user: { id: string; email: string; name?: string };
  team: string;
  role: Role | '';
  teams: TeamInfo[];
}

export interface Member {
  user_id: string;
  email: string;
  name?: string;
  role: Role;
  joined_at: string;
}

export interface Invitation {
  id: string;
  role: Role;
  token?: string;
  url?: string;
  expires_at: string;
}

export interface ApiToken {
  id: string;
  name: string;
  prefix: string;
  token?: string;
  created_at: string;
}

export interface AuditEntry {
  at: string;
  email: string;
  action: string;
  object_type: string;
  object_id: string;
  detail?: string;
}

const enc = encodeURIComponent;

export const authApi = {
  state: () => call<{ signup_open: boolean }>('GET', '/api/auth/state'),
  me: () => call<Me>('GET', '/api/auth/me'),
  login: (email: string, password: string) => call<Me>('POST', '/api/auth/login', { email, password }),
  signup: (email: string, password: string, invitation?: string) =>
    call<Me>('POST', '/api/auth/signup', invitation ? { email, password, invitation } : { email, password }),
  logout: () => call<void>('POST', '/api/auth/logout'),
  switchTeam: (team: string) => call<Me>('POST', '/api/auth/team', { team }),
  invitation: (token: string) => call<{ team: string; role: Role }>('GET', `/api/auth/invitations/${enc(token)}`),
  acceptInvitation: (token: string) => call<Me>('POST', `/api/auth/invitations/${enc(token)}/accept`),

  members: () => call<{ members: Member[] }>('GET', '/api/members').then((r) => r.members ?? []),
  setRole: (userId: string, role: Role) => call<unknown>('PUT', `/api/members/${enc(userId)}`, { role }),
  removeMember: (userId: string) => call<void>('DELETE', `/api/members/${enc(userId)}`),
  invitations: () => call<{ invitations: Invitation[] }>('GET', '/api/invitations').then((r) => r.invitations ?? []),
  invite: (role: Role) => call<Invitation>('POST', '/api/invitations', { role }),
  withdrawInvitation: (id: string) => call<void>('DELETE', `/api/invitations/${enc(id)}`),
  tokens: () => call<{ tokens: ApiToken[] }>('GET', '/api/tokens').then((r) => r.tokens ?? []),
  createToken: (name: string) => call<ApiToken>('POST', '/api/tokens', { name }),
  revokeToken: (id: string) => call<void>('DELETE', `/api/tokens/${enc(id)}`),
  audit: () => call<{ entries: AuditEntry[] }>('GET', '/api/audit?limit=100').then((r) => r.entries ?? []),
};

/** The i18n key of each role's name. */
export const roleKey = { viewer: 'team.role.viewer', editor: 'team.role.editor', owner: 'team.role.owner' } as const;
