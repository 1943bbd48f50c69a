import { useEffect, useState, type FormEvent } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client';
import { inputHelp, inputLabel, listIn, textIn, type FlowView, type Template } from '../api/types';
import { useLang, useT } from '../i18n/i18n';
import { go } from '../router';
import { ErrorBox } from './ErrorBox';
import { useCanEdit } from '../auth/session';
import { ImportTemplateButton, TemplateCardActions } from '../teamTemplates/teamTemplates';
import { useCatalog } from '../store/catalog';
import { CopyAddress } from './editor/CopyAddress';
import { flowAddress, triggerPreset } from './editor/readyAddress';
import { guideSteps } from '../inspector/webhookSetup';
import { keys } from '../query/keys';

const editorPath = (id: string) => `/flows/${encodeURIComponent(id)}`;

/** After "Create and start": the flow runs; the address to paste into the source, ready to copy. */
function CreatedLive({ tpl, flow, started }: { tpl: Template; flow: FlowView; started: boolean }) {
  const t = useT();
  const lang = useLang((s) => s.lang);
  const presets = useCatalog((s) => s.presets);
  useEffect(() => void useCatalog.getState().load(), []);
  const guide = guideSteps(triggerPreset(flow.document, presets), lang, flow.webhook_url);
  return (
    <div className="created-live" data-testid={`created-${tpl.id}`}>
      {started
        ? <p className="status-success" role="status">✓ {t('golive.createdLive', { name: flow.name })}</p>
        : <p className="error" role="status">{t('golive.notStarted')}</p>}
      <CopyAddress label={tpl.source ? t('golive.pasteInto', { source: tpl.source }) : t('golive.pasteIntoAny')}
        url={flowAddress(flow.webhook_url, flow.document, presets)} testId="created-url" rows={5} />
      {guide.length > 0 && (
        <details className="small">
          <summary>{t('golive.guide', { source: tpl.source || '' })}</summary>
          <ol>{guide.map((step, i) => <li key={i}>{step}</li>)}</ol>
        </details>
      )}
      <a href={`#${editorPath(flow.id)}`} data-testid="created-open">{t('golive.openEditor')}</a>
    </div>
  );
}

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
  const [created, setCreated] = useState<{ flow: FlowView; started: boolean } | null>(null);
  const qc = useQueryClient();

  // "Create the flow" opens it in the editor; "Create and start" (the form's default, Enter)
  // starts it at once and stays here with the address to paste into the source service.
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const start = (e.nativeEvent as SubmitEvent).submitter?.getAttribute('data-action') !== 'create';
    setBusy(true);
    setError(null);
    let flow: FlowView;
    try {
      flow = await api.instantiate(tpl.id, name, values);
      void qc.invalidateQueries({ queryKey: keys.flows() });
    } catch (err) {
      setError(err);
      setBusy(false);
      return;
    }
    if (!start) {
      go(editorPath(flow.id));
      return;
    }
    try {
      setCreated({ flow: await api.startFlow(flow.id), started: true });
      void qc.invalidateQueries({ queryKey: keys.flows() });
    } catch (err) {
      setError(err);
      setCreated({ flow, started: false });
    }
    setBusy(false);
  };

  if (created) return <><CreatedLive tpl={tpl} flow={created.flow} started={created.started} /><ErrorBox error={error} /></>;
  const targetGuide = listIn(tpl.guide, lang);

  return (
    <form className="use-template" onSubmit={submit} data-testid={`use-${tpl.id}`}>
      <div className="field">
        <label htmlFor={`tpl-name-${tpl.id}`}>{t('templates.flowName')}</label>
        <input id={`tpl-name-${tpl.id}`} value={name} onChange={(e) => setName(e.target.value)} required />
      </div>
      {targetGuide.length > 0 && (
        <details className="small" open data-testid="template-guide">
          <summary>{t('services.targetGuide', { target: tpl.target })}</summary>
          <ol>{targetGuide.map((step, i) => <li key={i}>{step}</li>)}</ol>
        </details>
      )}
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
      <div className="row-actions">
        <button type="submit" className="primary" disabled={busy} data-action="start" data-testid="create-start">{t('golive.createStart')}</button>
        <button type="submit" disabled={busy} data-action="create">{t('templates.create')}</button>
        <button type="button" onClick={onCancel}>{t('common.cancel')}</button>
      </div>
    </form>
  );
}

export function TemplatesPage({ openId }: { openId?: string } = {}) {
  const t = useT();
  const canEdit = useCanEdit();
  const lang = useLang((s) => s.lang);
  const list = useQuery({ queryKey: keys.templates(), queryFn: api.listTemplates });
  const [error, setError] = useState<unknown>(null);
  const [open, setOpen] = useState<string | null>(openId ?? null); // #/templates/<id>: its form, open
  const loaded = !!list.data;
  useEffect(() => { // opened from a link (the empty Flows page): its card in view
    if (openId && loaded) document.querySelector(`[data-testid="template-${CSS.escape(openId)}"]`)?.scrollIntoView({ block: 'center' });
  }, [openId, loaded]);
  return (
    <main className="page">
      <div className="page-head">
        <h1>{t('templates.title')}</h1>
        <ImportTemplateButton onError={setError} />
      </div>
      <ErrorBox error={error ?? list.error} />
      {!list.data ? (
        !list.error && <p>{t('common.loading')}</p>
      ) : list.data.length === 0 ? (
        <p className="muted">{t('templates.empty')}</p>
      ) : (
        <div className="cards">
          {list.data.map((tpl) => (
            <article className="card" key={tpl.id} data-testid={`template-${tpl.id}`}>
              <h2>{textIn(tpl.title, lang)}</h2>
              {tpl.target && <div className="muted small">{tpl.source ? t('templates.source', { source: tpl.source, target: tpl.target }) : t('words.anySource', { target: tpl.target })}</div>}
              <p>{textIn(tpl.description, lang)}</p>
              <TemplateCardActions tpl={tpl} onError={setError} />
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
