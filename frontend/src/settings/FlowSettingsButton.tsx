// The flow's settings in a dialog: who gets the failure emails, how long the journal keeps
// runs, and how many webhook calls a second the flow takes. (What the webhook answers the source
// is the flow's Reply step.)
// Saved on their own with the flow's saved document, so unsaved canvas edits stay unsaved.
import { useState } from 'react';
import { useMutation } from '@tanstack/react-query';
import { api } from '../api/client';
import type { FlowView } from '../api/types';
import { useT, type MessageKey } from '../i18n/i18n';
import { LanguageOptions } from '../i18n/LanguageOptions';
import { ErrorBox } from '../pages/ErrorBox';
import { Modal, ModalButton } from '../pages/Modal';
import { fromForm, toForm, type SettingsForm, type SettingsProblem } from './settingsModel';
import '../journal/runs.css';

interface Props {
  view: FlowView;
  canEdit: boolean;
  onSaved(v: FlowView): void;
}

export function FlowSettingsButton(props: Props) {
  const t = useT();
  return <ModalButton label={t('settings.button')} testId="settings-open" dialog={(close) => <SettingsDialog {...props} onClose={close} />} />;
}

const problemText: Record<SettingsProblem['key'], MessageKey> = {
  email: 'settings.problem.email',
  whole: 'settings.problem.whole',
  positive: 'settings.problem.positive',
};

function SettingsDialog({ view, canEdit, onSaved, onClose }: Props & { onClose(): void }) {
  const t = useT();
  const [form, setForm] = useState<SettingsForm>(() => toForm(view.settings));
  const [problems, setProblems] = useState<SettingsProblem[]>([]);
  // The editor takes the answer (onSaved), which also refreshes what shows the flow elsewhere.
  const saving = useMutation({
    mutationFn: (settings: Record<string, unknown>) => api.updateFlow(view.id, { document: view.document, settings }),
    onSuccess: (v) => {
      onSaved(v);
      onClose();
    },
  });

  const save = () => {
    const { settings, problems } = fromForm(form, view.settings);
    setProblems(problems);
    if (settings) saving.mutate(settings);
  };

  const field = (key: keyof SettingsForm, label: MessageKey, help?: MessageKey, multiline = false) => {
    const id = `settings-${key}`;
    const mine = problems.filter((p) => p.field === key);
    const props = {
      id,
      value: form[key],
      disabled: !canEdit,
      'aria-invalid': mine.length > 0 || undefined,
      onChange: (e: { target: { value: string } }) => setForm({ ...form, [key]: e.target.value }),
    };
    return (
      <div className="field">
        <label htmlFor={id}>{t(label)}</label>
        {multiline ? <textarea rows={3} {...props} /> : <input type="text" {...props} />}
        {help && <div className="help">{t(help)}</div>}
        {mine.map((p, i) => (
          <div className="error" role="alert" key={i}>{t(problemText[p.key], { value: p.value ?? '' })}</div>
        ))}
      </div>
    );
  };

  return (
    <Modal label={t('settings.title')} testId="settings" onClose={onClose}>
      <h2>{t('settings.title')}</h2>
      <ErrorBox error={saving.error} />
      <fieldset>
        <legend>{t('settings.mail')}</legend>
        {field('recipients', 'settings.recipients', 'settings.recipientsHelp', true)}
        <div className="field">
          <label htmlFor="settings-lang">{t('settings.lang')}</label>
          <select id="settings-lang" value={form.lang} disabled={!canEdit} onChange={(e) => setForm({ ...form, lang: e.target.value })}>
            <LanguageOptions />
          </select>
        </div>
      </fieldset>
      <fieldset>
        <legend>{t('settings.journal')}</legend>
        {field('retentionDays', 'settings.retentionDays', 'settings.retentionDaysHelp')}
        {field('retentionCount', 'settings.retentionCount', 'settings.retentionCountHelp')}
      </fieldset>
      <fieldset>
        <legend>{t('settings.webhook')}</legend>
        {field('ratePerSecond', 'settings.ratePerSecond', 'settings.rateHelp')}
        {field('rateBurst', 'settings.rateBurst')}
        <div className="help" data-testid="settings-reply-moved">{t('reply.settingsMoved')}</div>
      </fieldset>
      <div className="row-actions">
        {canEdit && (
          <button type="button" className="primary" onClick={save} disabled={saving.isPending} data-testid="settings-save">{t('settings.save')}</button>
        )}
        <button type="button" onClick={onClose}>{t('common.cancel')}</button>
      </div>
    </Modal>
  );
}
