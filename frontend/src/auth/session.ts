// Who is signed in, in which team and with which role; the app asks GET /api/auth/me once.
import { create } from 'zustand';
import { ApiError } from '../api/client';
import { authApi, type Me, type Role } from './authApi';

export type SessionStatus = 'loading' | 'signedOut' | 'signedIn' | 'error';

interface SessionState {
  status: SessionStatus;
  me: Me | null;
  signupOpen: boolean;
  error: unknown;
  load(): Promise<void>;
  signedIn(me: Me): void;
  signOut(): Promise<void>;
  /** The server said the session is gone (expired, signed out elsewhere). */
  lost(): void;
}

export const useSession = create<SessionState>()((set) => ({
  status: 'loading',
  me: null,
  signupOpen: false,
  error: null,
  async load() {
    try {
      const me = await authApi.me();
      set({ status: 'signedIn', me, error: null });
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        try {
          const st = await authApi.state();
          set({ status: 'signedOut', me: null, signupOpen: st.signup_open, error: null });
        } catch (e) {
          set({ status: 'error', error: e });
        }
        return;
      }
      set({ status: 'error', error: err });
    }
  },
  signedIn(me) {
    set({ status: 'signedIn', me, signupOpen: false, error: null });
  },
  async signOut() {
    try {
      await authApi.logout();
    } finally {
      set({ status: 'signedOut', me: null, signupOpen: false });
    }
  },
  lost() {
    set({ status: 'signedOut', me: null });
  },
}));

const rank: Record<string, number> = { viewer: 1, editor: 2, owner: 3 };

/** Whether a role may do what needs `need` (viewer < editor < owner). */
export function allows(role: Role | '' | undefined, need: Role): boolean {
  return (rank[role ?? ''] ?? 0) >= rank[need];
}

/** The signed-in user's role in the current team ('' when none). */
export function useRole(): Role | '' {
  return useSession((s) => s.me?.role ?? '');
}

/** Whether the current user may change flows (editor or owner): viewers see them read-only. */
export function useCanEdit(): boolean {
  return allows(useRole(), 'editor');
}
