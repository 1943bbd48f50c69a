// What an empty Flows page offers: the built-in templates, one click from each to its form, and
// the three steps from nothing to requests arriving.
import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client';
import { textIn, type Template } from '../api/types';
import { useLang, useT } from '../i18n/i18n';
import { templateHref } from '../router';
import { keys } from '../query/keys';

const SHOWN = 4;

export function FirstVisit({ onEmpty, canEdit }: { onEmpty: () => void; canEdit: boolean }) {
  const t = useT();
  const lang = useLang((s) => s.lang);
  // The built-in ones (a failure shows none: the steps below still lead on).
  const list = useQuery({ queryKey: keys.templates(), queryFn: api.listTemplates });
  const templates: Template[] | null = list.data ? list.data.filter((x) => !x.team) : list.error ? [] : null;
  return (
    <section className="first-visit" data-testid="first-visit">
      <h2>{t('runs.firstTitle')}</h2>
      <ol className="first-steps" data-testid="first-steps">
        <li>
          <strong>{t('runs.firstStep1')}</strong>
          <span className="muted">{t('runs.firstStep1Help')}</span>
        </li>
        <li>
          <strong>{t('runs.firstStep2')}</strong>
          <span className="muted">{t('runs.firstStep2Help')}</span>
        </li>
        <li>
          <strong>{t('runs.firstStep3')}</strong>
          <span className="muted">{t('runs.firstStep3Help')}</span>
        </li>
      </ol>
      {templates && templates.length > 0 && (
        <div className="first-templates">
          {templates.slice(0, SHOWN).map((tpl) => (
            <a key={tpl.id} className="card first-template" href={templateHref(tpl.id)} data-testid={`first-template-${tpl.id}`}>
              {tpl.source && tpl.target && <span className="first-route">{tpl.source} → {tpl.target}</span>}
              <strong>{textIn(tpl.title, lang)}</strong>
              <span className="muted small">{textIn(tpl.description, lang)}</span>
            </a>
          ))}
        </div>
      )}
      <div className="row-actions">
        <a href="#/templates" data-testid="first-all-templates">{t('runs.firstAllTemplates', { n: templates?.length ?? 0 })}</a>
        <span className="muted">{t('runs.firstOr')}</span>
        <button type="button" onClick={onEmpty} disabled={!canEdit} data-testid="first-empty">{t('runs.firstEmpty')}</button>
      </div>
    </section>
  );
}
