// The editor's toolbar, on one line at 1280 px: back, the flow's name, undo/redo, Save and whether
// everything is saved, the flow's state with Start/Stop, problems, settings, versions, journal.
import type { FlowView } from '../../api/types';
import { useT } from '../../i18n/i18n';
import { journalHref } from '../../router';
import { useFlowStore } from '../../store/flowStore';
import { ProblemsButton } from '../ProblemsButton';
import { FlowSettingsButton } from '../../settings/FlowSettingsButton';
import { VersionHistory } from '../../versions/VersionHistory';
import { SaveAsTemplateButton } from '../../teamTemplates/teamTemplates';
import { RunSwitch, type RunNotice } from './RunSwitch';

interface Props {
  view: FlowView;
  canEdit: boolean;
  saving: boolean;
  running: boolean;
  notice: RunNotice;
  onSave(): void;
  onToggleRun(): void;
  onViewChange(v: FlowView): void;
  onRestored(v: FlowView): void;
  onError(err: unknown): void;
}

export function Toolbar({ view, canEdit, saving, running, notice, onSave, onToggleRun, onViewChange, onRestored, onError }: Props) {
  const t = useT();
  const store = useFlowStore;
  const name = useFlowStore((s) => s.meta.name);
  const dirty = useFlowStore((s) => s.dirty);
  const canUndo = useFlowStore((s) => s.past.length > 0);
  const canRedo = useFlowStore((s) => s.future.length > 0);
  return (
    <div className="toolbar" data-testid="toolbar">
      <a href="#/flows" className="toolbar-back" aria-label={t('editor.back')} title={t('editor.back')}>←</a>
      <input aria-label={t('editor.name')} className="flow-name" value={name}
        onChange={(e) => store.getState().setMeta({ name: e.target.value })} />
      <button type="button" className="icon" onClick={() => store.getState().undo()} disabled={!canUndo}
        aria-label={t('editor.undo')} title={`${t('editor.undo')} (Ctrl+Z)`}>↶</button>
      <button type="button" className="icon" onClick={() => store.getState().redo()} disabled={!canRedo}
        aria-label={t('editor.redo')} title={`${t('editor.redo')} (Ctrl+Shift+Z)`}>↷</button>
      <button type="button" className="primary" onClick={onSave} disabled={!canEdit || saving} data-testid="save">{t('editor.save')}</button>
      <span className={`save-state small ${dirty ? 'unsaved' : 'muted'}`} data-testid="save-state">{dirty ? t('editor.unsaved') : t('editor.saved')}</span>
      <RunSwitch active={view.active} dirty={dirty} busy={running} canEdit={canEdit} notice={notice} onToggle={onToggleRun} />
      <span className="toolbar-gap" />
      <ProblemsButton />
      <FlowSettingsButton view={view} canEdit={canEdit} onSaved={onViewChange} />
      <VersionHistory flowId={view.id} current={view.version} dirty={dirty} onRestored={onRestored} />
      <a href={journalHref(view.id)} data-testid="editor-journal">{t('journal.title')}</a>
      <SaveAsTemplateButton flowId={view.id} defaultName={name} dirty={dirty} getDocument={() => store.getState().document()} onError={onError} />
    </div>
  );
}
