// The team's own templates: "save as template" in the editor, and export / import / delete in
// the gallery (built-in templates can be exported too).
import { useRef, useState } from 'react';
import { call } from '../api/client';
import type { Template } from '../api/types';
import { useT } from '../i18n/i18n';
import { go } from '../router';
import { useCanEdit } from '../auth/session';

const enc = encodeURIComponent;

export const teamTemplatesApi = {
  saveAsTemplate: (flowId: string, name: string) =>
    call<Template>('POST', `/api/flows/${enc(flowId)}/save-template`, { name }),
  importTemplate: (doc: unknown) => call<Template>('POST', '/api/templates/import', doc),
  deleteTemplate: (id: string) => call<void>('DELETE', `/api/templates/${enc(id)}`),
  exportURL: (id: string) => `/api/templates/${enc(id)}/export`,
};

/** Editor toolbar button: the saved flow becomes a template of the team (secrets become inputs). */
export function SaveAsTemplateButton({ flowId, defaultName, onError }: { flowId: string; defaultName: string; onError(err: unknown): void }) {
  const t = useT();
  const canEdit = useCanEdit();
  const save = async () => {
    const name = window.prompt(t('teamTemplates.namePrompt'), defaultName);
    if (!name) return;
    try {
      await teamTemplatesApi.saveAsTemplate(flowId, name);
      go('/templates');
    } catch (err) {
      onError(err);
    }
  };
  return (
    <button type="button" onClick={save} disabled={!canEdit} data-testid="save-as-template">{t('teamTemplates.save')}</button>
  );
}

/** Under a template card: export (any), delete (team templates, editors). */
export function TemplateCardActions({ tpl, onChanged, onError }: { tpl: Template; onChanged(): void; onError(err: unknown): void }) {
  const t = useT();
  const canEdit = useCanEdit();
  return (
    <div className="small">
      {tpl.team && <span className="badge" data-testid="team-template">{t('teamTemplates.badge')}</span>}{' '}
      <a href={teamTemplatesApi.exportURL(tpl.id)} download={`${tpl.id}.template.json`}>{t('teamTemplates.export')}</a>{' '}
      {tpl.team && canEdit && (
        <button type="button" className="link" onClick={() => teamTemplatesApi.deleteTemplate(tpl.id).then(onChanged, onError)}>
          {t('teamTemplates.delete')}
        </button>
      )}
    </div>
  );
}

/** Gallery header: import a template file exported from another team or instance. */
export function ImportTemplateButton({ onChanged, onError }: { onChanged(): void; onError(err: unknown): void }) {
  const t = useT();
  const canEdit = useCanEdit();
  const input = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const pick = async (file: File | undefined) => {
    if (!file) return;
    setBusy(true);
    try {
      let doc: unknown;
      try {
        doc = JSON.parse(await file.text());
      } catch {
        throw new Error(t('teamTemplates.notJSON'));
      }
      await teamTemplatesApi.importTemplate(doc);
      onChanged();
    } catch (err) {
      onError(err);
    } finally {
      setBusy(false);
      if (input.current) input.current.value = '';
    }
  };
  return (
    <label className="button">
      {t('teamTemplates.import')}
      <input ref={input} type="file" accept="application/json,.json" hidden disabled={!canEdit || busy}
        data-testid="template-import" onChange={(e) => void pick(e.target.files?.[0])} />
    </label>
  );
}
