// The team's own templates: "save as template" in the editor, and export / import / delete in
// the gallery (built-in templates can be exported too).
import { useRef, useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { call } from '../api/client';
import type { FlowDocument, Template } from '../api/types';
import { promotable } from './promotable';
import { useLang, useT } from '../i18n/i18n';
import { fieldPathLabel } from '../i18n/fieldLabel';
import { useCatalog } from '../store/catalog';
import { go } from '../router';
import { useCanEdit } from '../auth/session';
import { keys } from '../query/keys';

const enc = encodeURIComponent;

export const teamTemplatesApi = {
  importTemplate: (doc: unknown) => call<Template>('POST', '/api/templates/import', doc),
  deleteTemplate: (id: string) => call<void>('DELETE', `/api/templates/${enc(id)}`),
  exportURL: (id: string) => `/api/templates/${enc(id)}/export`,
};

/** Editor toolbar button and form: the saved flow becomes a template of the team. The values
 * ticked become inputs (their current text the default); secrets always become inputs. */
export function SaveAsTemplateButton({ flowId, defaultName, dirty, getDocument, onError }: {
  flowId: string;
  defaultName: string;
  dirty: boolean;
  getDocument(): FlowDocument;
  onError(err: unknown): void;
}) {
  const t = useT();
  const canEdit = useCanEdit();
  const [open, setOpen] = useState(false);
  const [name, setName] = useState(defaultName);
  const [picked, setPicked] = useState<Record<string, string>>({}); // "node field" → input key
  const qc = useQueryClient();
  const doc = open ? getDocument() : null;
  const values = doc ? promotable(doc) : [];
  const nodeOf = (id: string) => doc?.nodes.find((n) => n.id === id);
  const kinds = useCatalog((s) => s.kinds);
  const lang = useLang((s) => s.lang);
  const save = async () => {
    const inputs = values
      .filter((v) => picked[`${v.node} ${v.field}`] !== undefined)
      .map((v) => ({ node: v.node, field: v.field, key: picked[`${v.node} ${v.field}`] || v.key }));
    try {
      await call<Template>('POST', `/api/flows/${enc(flowId)}/save-template`, { name, inputs });
      await qc.invalidateQueries({ queryKey: keys.templates() });
      setOpen(false);
      go('/templates');
    } catch (err) {
      onError(err);
    }
  };
  if (!open) {
    return (
      <button type="button" onClick={() => { setName(defaultName); setPicked({}); setOpen(true); }} disabled={!canEdit}
        data-testid="save-as-template">{t('teamTemplates.save')}</button>
    );
  }
  return (
    <div className="save-template" data-testid="save-template-form">
      <label>
        {t('teamTemplates.name')}{' '}
        <input value={name} onChange={(e) => setName(e.target.value)} data-testid="template-name" />
      </label>
      {dirty && <p className="muted small">{t('teamTemplates.unsaved')}</p>}
      <p className="muted small">{t('teamTemplates.pick')}</p>
      <ul>
        {values.map((v) => {
          const id = `${v.node} ${v.field}`;
          const on = picked[id] !== undefined;
          return (
            <li key={id}>
              <label>
                <input type="checkbox" checked={on} data-testid={`promote-${v.node}-${v.field}`}
                  onChange={(e) => {
                    const next = { ...picked };
                    if (e.target.checked) next[id] = v.key;
                    else delete next[id];
                    setPicked(next);
                  }} />{' '}
                <b>{nodeOf(v.node)?.name || v.node}</b>: {fieldPathLabel(kinds.find((k) => k.kind === nodeOf(v.node)?.kind), v.field, lang)}{' '}
                = {v.value.length > 60 ? v.value.slice(0, 60) + '…' : v.value}
              </label>
              {on && (
                <input aria-label={t('teamTemplates.inputKey')} value={picked[id]} className="small"
                  onChange={(e) => setPicked({ ...picked, [id]: e.target.value })} />
              )}
            </li>
          );
        })}
      </ul>
      <button type="button" className="primary" onClick={save} data-testid="template-save">{t('teamTemplates.saveNow')}</button>{' '}
      <button type="button" onClick={() => setOpen(false)}>{t('common.cancel')}</button>
    </div>
  );
}

/** Under a template card: export (any), delete (team templates, editors). */
export function TemplateCardActions({ tpl, onError }: { tpl: Template; onError(err: unknown): void }) {
  const t = useT();
  const canEdit = useCanEdit();
  const qc = useQueryClient();
  const del = useMutation({
    mutationFn: () => teamTemplatesApi.deleteTemplate(tpl.id),
    onMutate: () => onError(null), // an earlier error is old news
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.templates() }),
    onError,
  });
  return (
    <div className="small">
      {tpl.team && <span className="badge" data-testid="team-template">{t('teamTemplates.badge')}</span>}{' '}
      <a href={teamTemplatesApi.exportURL(tpl.id)} download={`${tpl.id}.template.json`}>{t('teamTemplates.export')}</a>{' '}
      {tpl.team && canEdit && (
        <button type="button" className="link" onClick={() => del.mutate()} disabled={del.isPending}>
          {t('teamTemplates.delete')}
        </button>
      )}
    </div>
  );
}

/** Gallery header: import a template file exported from another team or instance. */
export function ImportTemplateButton({ onError }: { onError(err: unknown): void }) {
  const t = useT();
  const canEdit = useCanEdit();
  const input = useRef<HTMLInputElement>(null);
  const qc = useQueryClient();
  const imp = useMutation({
    mutationFn: async (file: File) => {
      let doc: unknown;
      try {
        doc = JSON.parse(await file.text());
      } catch {
        throw new Error(t('teamTemplates.notJSON'));
      }
      return teamTemplatesApi.importTemplate(doc);
    },
    onMutate: () => onError(null), // an earlier error is old news
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.templates() }),
    onError,
    onSettled: () => {
      if (input.current) input.current.value = '';
    },
  });
  return (
    <label className="button">
      {t('teamTemplates.import')}
      <input ref={input} type="file" accept="application/json,.json" hidden disabled={!canEdit || imp.isPending}
        data-testid="template-import" onChange={(e) => e.target.files?.[0] && imp.mutate(e.target.files[0])} />
    </label>
  );
}
