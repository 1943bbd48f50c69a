import { useEffect, useState, type FormEvent } from 'react';
import { api } from '../api/client';
import { inputHelp, inputLabel, textIn, type Template } from '../api/types';
import { useLang, useT } from '../i18n/i18n';
import { go } from '../router';
import { ErrorBox } from './ErrorBox';
import { useCanEdit } from '../auth/session';
import { ImportTemplateButton, TemplateCardActions } from '../teamTemplates/teamTemplates';

function UseTemplateForm({ tpl, onCancel }: { tpl: Template; onCancel: () => void }) {
  const t = useT();
  const lang = useLang((s) => s.lang);
  const inputs = tpl.flow.inputs ?? [];
  const [name, setName] = useState(textIn(tpl.title, lang));
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(inputs.map((i) => [i.key, i.default ?? ''])),
  );
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      const v = await api.instantiate(tpl.id, name, values);
      go(`/flows/${encodeURIComponent(v.id)}`);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return (
    <form className="use-template" onSubmit={submit} data-testid={`use-${tpl.id}`}>
      <div className="field">
        <label htmlFor={`tpl-name-${tpl.id}`}>{t('templates.flowName')}</label>
        <input id={`tpl-name-${tpl.id}`} value={name} onChange={(e) => setName(e.target.value)} required />
      </div>
      {inputs.map((i) => (
        <div className="field" key={i.key}>
          <label htmlFor={`tpl-${tpl.id}-${i.key}`}>
            {inputLabel(i, lang)}
            {i.required && <span className="req"> *</span>}
          </label>
          <input id={`tpl-${tpl.id}-${i.key}`} name={i.key} type={i.secret ? 'password' : 'text'} autoComplete="off"
            required={i.required} value={values[i.key] ?? ''}
            onChange={(e) => setValues({ ...values, [i.key]: e.target.value })} />
          {inputHelp(i, lang) && <div className="help">{inputHelp(i, lang)}</div>}
        </div>
      ))}
      <ErrorBox error={error} />
      <button type="submit" className="primary" disabled={busy}>{t('templates.create')}</button>{' '}
      <button type="button" onClick={onCancel}>{t('common.cancel')}</button>
    </form>
  );
}

export function TemplatesPage() {
  const t = useT();
  const canEdit = useCanEdit();
  const lang = useLang((s) => s.lang);
  const [list, setList] = useState<Template[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [open, setOpen] = useState<string | null>(null);
  const reload = () => {
    setError(null);
    api.listTemplates().then(setList, setError);
  };
  useEffect(reload, []);
  return (
    <main className="page">
      <div className="page-head">
        <h1>{t('templates.title')}</h1>
        <ImportTemplateButton onChanged={reload} onError={setError} />
      </div>
      <ErrorBox error={error} />
      {list === null ? (
        <p>{t('common.loading')}</p>
      ) : list.length === 0 ? (
        <p className="muted">{t('templates.empty')}</p>
      ) : (
        <div className="cards">
          {list.map((tpl) => (
            <article className="card" key={tpl.id} data-testid={`template-${tpl.id}`}>
              <h2>{textIn(tpl.title, lang)}</h2>
              {tpl.target && <div className="muted small">{tpl.source ? t('templates.source', { source: tpl.source, target: tpl.target }) : t('words.anySource', { target: tpl.target })}</div>}
              <p>{textIn(tpl.description, lang)}</p>
              <TemplateCardActions tpl={tpl} onChanged={reload} onError={setError} />
              {open === tpl.id ? (
                <UseTemplateForm tpl={tpl} onCancel={() => setOpen(null)} />
              ) : (
                <button type="button" className="primary" onClick={() => setOpen(tpl.id)} disabled={!canEdit}>{t('templates.use')}</button>
              )}
            </article>
          ))}
        </div>
      )}
    </main>
  );
}
