// The app's one QueryClient and its provider. Loading, caching and refetching of server data go
// through it; the flow being edited stays in its own store (store/flowStore.ts).
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useEffect, useState, type ReactNode } from 'react';
import { useLang } from '../i18n/i18n';
import { useSession } from '../auth/session';
import type { Me } from '../auth/authApi';

/**
 * A client with the app's defaults. No retries: a failed request is shown at once, as the server
 * said it (the server's sentences, in the user's language), and the user can act on it; a page
 * visited again shows what it had and refreshes it in the background.
 */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { retry: false },
      mutations: { retry: false },
    },
  });
}

/**
 * Provides the client. Errors are written in the language of the request, so after a language
 * switch the queries in error are asked again; what was cached for one user or team is dropped
 * when that user signs out or the team changes.
 */
export function QueryProvider({ client, children }: { client?: QueryClient; children: ReactNode }) {
  const [qc] = useState(() => client ?? createQueryClient());
  useEffect(() => useLang.subscribe((s, prev) => {
    if (s.lang !== prev.lang) void qc.refetchQueries({ predicate: (q) => q.state.status === 'error' });
  }), [qc]);
  // Signing in from nothing keeps the cache (it holds only what was read before, an invitation).
  useEffect(() => useSession.subscribe((s, prev) => {
    if (who(prev.me) && who(s.me) !== who(prev.me)) qc.clear();
  }), [qc]);
  return <QueryClientProvider client={qc}>{children}</QueryClientProvider>;
}

const who = (me: Me | null) => (me ? `${me.user.id} ${me.team}` : '');
