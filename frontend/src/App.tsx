import { useLang, useT, type Lang } from './i18n/i18n';
import { useRoute } from './router';
import { FlowsPage } from './pages/FlowsPage';
import { TemplatesPage } from './pages/TemplatesPage';
import { EditorPage } from './pages/EditorPage';
import { JournalPage } from './journal/JournalPage';
import { RunPage } from './journal/RunPage';

export function App() {
  const t = useT();
  const route = useRoute();
  const lang = useLang((s) => s.lang);
  const setLang = useLang((s) => s.setLang);
  return (
    <div className="app" lang={lang}>
      <header className="top">
        <a className="brand" href="#/flows">{t('app.title')}</a>
        <nav>
          <a href="#/flows" className={route.page !== 'templates' ? 'active' : ''}>{t('nav.flows')}</a>
          <a href="#/templates" className={route.page === 'templates' ? 'active' : ''}>{t('nav.templates')}</a>
        </nav>
        <label className="lang">
          {t('lang.switch')}{' '}
          <select value={lang} onChange={(e) => setLang(e.target.value as Lang)}>
            <option value="en">English</option>
            <option value="ru">Русский</option>
          </select>
        </label>
      </header>
      {route.page === 'flows' && <FlowsPage />}
      {route.page === 'templates' && <TemplatesPage />}
      {route.page === 'editor' && <EditorPage key={route.id} id={route.id} />}
      {route.page === 'journal' && <JournalPage key={route.id} flowId={route.id} />}
      {route.page === 'run' && <RunPage key={route.id} id={route.id} />}
    </div>
  );
}
