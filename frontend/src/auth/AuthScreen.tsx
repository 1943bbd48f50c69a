// Sign-in, first signup and invitation pages: what a visitor sees before the editor.
import { useState, type FormEvent } from 'react';
import { useQuery } from '@tanstack/react-query';
import { useT } from '../i18n/i18n';
import { go } from '../router';
import { ErrorBox } from '../pages/ErrorBox';
import { authApi, roleKey } from './authApi';
import { keys } from '../query/keys';
import { useSession } from './session';

function Credentials({ prefix, submitLabel, onSubmit }: {
  prefix: 'login' | 'signup';
  submitLabel: string;
  onSubmit(email: string, password: string): Promise<void>;
}) {
  const t = useT();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await onSubmit(email, password);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="auth-form" onSubmit={submit}>
      <label>
        {t('auth.email')}
        <input type="email" autoComplete="email" required value={email} data-testid={`${prefix}-email`}
          onChange={(e) => setEmail(e.target.value)} />
      </label>
      <label>
        {t('auth.password')}
        <input type="password" required autoComplete={prefix === 'login' ? 'current-password' : 'new-password'}
          minLength={prefix === 'signup' ? 8 : undefined} value={password} data-testid={`${prefix}-password`}
          onChange={(e) => setPassword(e.target.value)} />
      </label>
      {prefix === 'signup' && <p className="muted small">{t('auth.passwordRules')}</p>}
      <ErrorBox error={error} />
      <button type="submit" className="primary" disabled={busy} data-testid={`${prefix}-submit`}>{submitLabel}</button>
    </form>
  );
}

/** Sign-in, or the owner's signup on an empty instance. */
export function AuthScreen() {
  const t = useT();
  const status = useSession((s) => s.status);
  const signupOpen = useSession((s) => s.signupOpen);
  const error = useSession((s) => s.error);
  const signedIn = useSession((s) => s.signedIn);
  if (status === 'loading') return <main className="page"><p>{t('common.loading')}</p></main>;
  if (status === 'error') return <main className="page"><ErrorBox error={error} /></main>;
  if (signupOpen) {
    return (
      <main className="page auth-page">
        <h1>{t('auth.signupTitle')}</h1>
        <p className="muted">{t('auth.signupHelp')}</p>
        <Credentials prefix="signup" submitLabel={t('auth.signupSubmit')}
          onSubmit={async (email, password) => signedIn(await authApi.signup(email, password))} />
      </main>
    );
  }
  return (
    <main className="page auth-page">
      <h1>{t('auth.loginTitle')}</h1>
      <Credentials prefix="login" submitLabel={t('auth.loginSubmit')}
        onSubmit={async (email, password) => signedIn(await authApi.login(email, password))} />
      <p className="muted small">{t('auth.noAccount')}</p>
    </main>
  );
}

/** #/invite/<token>: join a team, signing up (or in) first when needed. */
export function InvitePage({ token }: { token: string }) {
  const t = useT();
  const status = useSession((s) => s.status);
  const signedIn = useSession((s) => s.signedIn);
  // Read once: an accepted invitation is gone, asking again would only report that.
  const invitation = useQuery({ queryKey: keys.invitation(token), queryFn: () => authApi.invitation(token), staleTime: Infinity });
  const info = invitation.data ?? null;
  const [acceptError, setError] = useState<unknown>(null);
  const error = acceptError ?? invitation.error;
  const joined = (me: Parameters<typeof signedIn>[0]) => {
    signedIn(me);
    go('/flows');
  };
  const accept = async () => {
    try {
      joined(await authApi.acceptInvitation(token));
    } catch (err) {
      setError(err);
    }
  };
  if (error) return <main className="page auth-page"><ErrorBox error={error} /><a href="#/flows">{t('auth.toApp')}</a></main>;
  if (!info || status === 'loading') return <main className="page"><p>{t('common.loading')}</p></main>;
  const role = t(roleKey[info.role]);
  return (
    <main className="page auth-page">
      <h1>{t('auth.inviteTitle', { team: info.team })}</h1>
      <p>{t('auth.inviteRole', { role })}</p>
      {status === 'signedIn' ? (
        <button type="button" className="primary" onClick={accept} data-testid="invite-accept">{t('auth.inviteAccept')}</button>
      ) : (
        <>
          <h2>{t('auth.inviteNew')}</h2>
          <Credentials prefix="signup" submitLabel={t('auth.signupSubmit')}
            onSubmit={async (email, password) => joined(await authApi.signup(email, password, token))} />
          <h2>{t('auth.inviteExisting')}</h2>
          <Credentials prefix="login" submitLabel={t('auth.inviteLoginAccept')}
            onSubmit={async (email, password) => {
              await authApi.login(email, password);
              joined(await authApi.acceptInvitation(token));
            }} />
        </>
      )}
    </main>
  );
}
