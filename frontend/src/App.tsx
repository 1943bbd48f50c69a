import { useEffect } from 'react';
import { useLang, useT, type Lang } from './i18n/i18n';
import { LanguageOptions } from './i18n/LanguageOptions';
import { useRoute } from './router';
import { FlowsPage } from './pages/FlowsPage';
import { TemplatesPage } from './pages/TemplatesPage';
import { EditorPage } from './pages/EditorPage';
import { JournalPage } from './journal/JournalPage';
import { RunPage } from './journal/RunPage';
import { setOnUnauthorized } from './api/client';
import { AuthScreen, InvitePage } from './auth/AuthScreen';
import { TeamPage } from './auth/TeamPage';
import { RoleNotice, UserMenu } from './auth/UserMenu';
import { useSession } from './auth/session';

export function App() {
  const t = useT();
  const route = useRoute();
  const lang = useLang((s) => s.lang);
  const setLang = useLang((s) => s.setLang);
  const status = useSession((s) => s.status);
  useEffect(() => {
    setOnUnauthorized(() => useSession.getState().lost());
    void useSession.getState().load();
    return () => setOnUnauthorized(null);
  }, []);
  const signedIn = status === 'signedIn';
  let page;
  if (route.page === 'invite') page = <InvitePage token={route.token} />;
  else if (!signedIn) page = <AuthScreen />;
  else if (route.page === 'flows') page = <FlowsPage />;
  else if (route.page === 'templates') page = <TemplatesPage key={route.open ?? ''} openId={route.open} />;
  else if (route.page === 'team') page = <TeamPage />;
  else if (route.page === 'journal') page = <JournalPage key={route.id} flowId={route.id} />;
  else if (route.page === 'run') page = <RunPage key={route.id} id={route.id} />;
  else page = <EditorPage key={route.id} id={route.id} />;
  return (
    <div className="app" lang={lang}>
      <header className="top">
        <a className="brand" href="#/flows">{t('app.title')}</a>
        {signedIn && (
          <nav>
            <a href="#/flows" className={['flows', 'editor', 'journal', 'run'].includes(route.page) ? 'active' : ''}>{t('nav.flows')}</a>
            <a href="#/templates" className={route.page === 'templates' ? 'active' : ''}>{t('nav.templates')}</a>
            <a href="#/team" className={route.page === 'team' ? 'active' : ''}>{t('team.nav')}</a>
          </nav>
        )}
        <label className="lang">
          {t('lang.switch')}{' '}
          <select value={lang} onChange={(e) => setLang(e.target.value as Lang)}>
            <LanguageOptions />
          </select>
        </label>
        {signedIn && <UserMenu />}
      </header>
      {signedIn && <RoleNotice />}
      {page}
    </div>
  );
}
