// The node palette: drag a kind onto the canvas, or focus it and press Enter to add it below the
// last node (the keyboard way; it is then selected, so its form is next in the tab order). Either
// way the new step is joined to the selected step, or to the last one.
import type { KeyboardEvent } from 'react';
import { textIn } from '../api/types';
import { useLang, useT } from '../i18n/i18n';
import { useCatalog } from '../store/catalog';
import { isTriggerKind, joinFor, useFlowStore } from '../store/flowStore';
import { nextFreePosition, positionBelow } from '../store/layout';
import { DRAG_MIME } from './Canvas';
import { KindIcon } from '../nodes/HookNodeView';
import { kindName } from '../nodes/describe';

export function Palette() {
  const t = useT();
  const lang = useLang((s) => s.lang);
  const kinds = useCatalog((s) => s.kinds);
  const addFromKeyboard = (e: KeyboardEvent, kind: string) => {
    if (e.key !== 'Enter' && e.key !== ' ') return;
    e.preventDefault();
    const s = useFlowStore.getState();
    const join = joinFor({ id: '', type: 'hook', position: { x: 0, y: 0 }, data: { kind, name: '', config: {}, extra: {}, hadPosition: true } },
      s.nodes, s.edges, s.selectedId);
    const under = join && !isTriggerKind(kind) ? s.nodes.find((n) => n.id === join.source) : undefined;
    s.dropNode(kind, under ? positionBelow(under, s.nodes) : nextFreePosition(s.nodes));
  };
  return (
    <aside className="palette" data-testid="palette">
      <h2>{t('editor.palette')}</h2>
      <p className="muted small">{t('editor.paletteHelp')}</p>
      {kinds.map((k) => (
        <div key={k.kind} className="palette-item" draggable role="button" tabIndex={0} data-kind={k.kind}
          title={textIn(k.help, lang)}
          onKeyDown={(e) => addFromKeyboard(e, k.kind)}
          onDragStart={(e) => {
            e.dataTransfer.setData(DRAG_MIME, k.kind);
            e.dataTransfer.effectAllowed = 'move';
          }}>
          <KindIcon kind={k.kind} />
          <span>{kindName(k, lang)}</span>
        </div>
      ))}
    </aside>
  );
}
