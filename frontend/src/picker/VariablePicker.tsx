// The variable picker: a button beside a templated field that opens a searchable list of the
// {{…}} references this node may use and hands the chosen one to the field.
import { useEffect, useMemo, useRef, useState, type CSSProperties, type KeyboardEvent } from 'react';
import { useFlowStore } from '../store/flowStore';
import { useCatalog } from '../store/catalog';
import { useLang, useT } from '../i18n/i18n';
import { applyCleanUp } from './cleanups';
import { CleanUpSelect } from './CleanUpMenu';
import { collectRefs, expression, filterRefs, lastName, type RefGroup } from './model';

const NONE = new Set<string>();

export function usePickerGroups(nodeId: string): RefGroup[] {
  const lang = useLang((s) => s.lang);
  const nodes = useFlowStore((s) => s.nodes);
  const edges = useFlowStore((s) => s.edges);
  const steps = useFlowStore((s) => s.steps);
  const learned = useFlowStore((s) => s.learned);
  const inputs = useFlowStore((s) => s.meta.inputs);
  const presets = useCatalog((s) => s.presets);
  return useMemo(
    () =>
      collectRefs({
        nodeId,
        nodes: nodes.map((n) => ({ id: n.id, kind: n.data.kind, name: n.data.name, config: n.data.config })),
        edges,
        presets,
        learned,
        steps,
        inputs: inputs ?? [],
        lang,
      }),
    [nodeId, nodes, edges, presets, learned, steps, inputs, lang],
  );
}

const POP_WIDTH = 340;
const POP_MARGIN = 8;
const POP_HEIGHT = 360;

/**
 * Where the list opens: fixed to the window under its button (above when there is more room
 * there), so a narrow table cell or the scrolling side panel does not cut it off.
 */
export function popoverStyle(button: DOMRect, win: { innerWidth: number; innerHeight: number }): CSSProperties {
  const left = Math.max(POP_MARGIN, Math.min(button.right - POP_WIDTH, win.innerWidth - POP_WIDTH - POP_MARGIN));
  const below = win.innerHeight - button.bottom - 2 - POP_MARGIN;
  const above = button.top - 2 - POP_MARGIN;
  if (below >= 240 || below >= above) return { position: 'fixed', left, top: button.bottom + 2, maxHeight: Math.min(POP_HEIGHT, below) };
  return { position: 'fixed', left, bottom: win.innerHeight - button.top + 2, maxHeight: Math.min(POP_HEIGHT, above) };
}

function PickerList({ nodeId, onPick, onClose, style }: {
  nodeId: string; onPick: (text: string) => void; onClose: () => void; style?: CSSProperties;
}) {
  const t = useT();
  const [query, setQuery] = useState('');
  const all = usePickerGroups(nodeId);
  const traced = useFlowStore((s) => s.trace !== null);
  const groups = filterRefs(all, query);
  const list = useRef<HTMLDivElement>(null);
  // Up and down move between the references (Tab works too); up from the first one returns to the search.
  const onListKey = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    const buttons = [...(list.current?.querySelectorAll<HTMLButtonElement>('button[data-ref]') ?? [])];
    const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
    if (at < 0) return;
    e.preventDefault();
    const next = e.key === 'ArrowDown' ? Math.min(at + 1, buttons.length - 1) : at - 1;
    if (next < 0) search.current?.focus();
    else buttons[next].focus();
  };
  const search = useRef<HTMLInputElement>(null);
  // focus the search without scrolling: the list is fixed to the window, and a scroll of the side
  // panel under it (which the browser does to reveal a focused field) would close it at once
  useEffect(() => search.current?.focus({ preventScroll: true }), []);
  const title = (g: RefGroup) => {
    switch (g.id) {
      case 'trigger':
        return t('picker.groupTrigger');
      case 'samples':
        return t('picker.groupSamples');
      case 'steps':
        return t('picker.groupStep', { name: g.title });
      case 'inputs':
        return t('picker.groupInputs');
      default:
        return t('picker.groupEvent');
    }
  };
  const onSearchKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      list.current?.querySelector<HTMLButtonElement>('button[data-ref]')?.focus();
      return;
    }
    if (e.key === 'Enter') {
      e.preventDefault();
      const first = groups[0]?.refs[0];
      if (first) onPick(expression(first.path));
    }
  };
  return (
    <div className="picker-pop" role="dialog" aria-label={t('picker.title')} data-testid="picker" style={style}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.stopPropagation();
          onClose();
        }
      }}>
      <input type="search" ref={search} aria-label={t('picker.search')} placeholder={t('picker.search')} value={query}
        onChange={(e) => setQuery(e.target.value)} onKeyDown={onSearchKey} />
      {groups.length === 0 && <p className="muted small">{t('picker.none')}</p>}
      <div ref={list} onKeyDown={onListKey}>
        {groups.map((g) => (
          <section key={g.id + g.node}>
            <h4>{title(g)}</h4>
            <ul>
              {g.refs.map((r) => (
                <li key={r.path}>
                  {/* the name people know first (the preset's label in their language), then what it
                      held in the sample, then the reference itself in small print */}
                  <button type="button" data-ref={r.path} onClick={() => onPick(expression(r.path))}>
                    <span className="picker-label">{r.label || lastName(r.path)}</span>
                    {r.example && <span className="picker-example"> {t('picker.example', { value: r.example })}</span>}
                    <code className="picker-path">{r.path}</code>
                  </button>
                  {/* or insert it cleaned up: "| digits" written from the menu */}
                  <CleanUpSelect on={NONE} offerNone={false} testId={`ref-${r.path}`}
                    label={t('mapping.insertCleaned', { name: r.label || lastName(r.path) })}
                    onChoose={(c, arg) => onPick(applyCleanUp(expression(r.path), null, c, arg)?.value ?? expression(r.path))} />
                </li>
              ))}
            </ul>
          </section>
        ))}
      </div>
      {!traced && <p className="muted small">{t('picker.runTest')}</p>}
    </div>
  );
}

export interface VariablePickerProps {
  /** the node whose field gets the reference */
  nodeId: string;
  /** inserts the chosen {{…}} at the field's cursor */
  onInsert(text: string): void;
  /** the field's name for the button's label */
  fieldLabel: string;
  testId: string;
}

export function VariablePicker({ nodeId, onInsert, fieldLabel, testId }: VariablePickerProps) {
  const t = useT();
  const [open, setOpen] = useState(false);
  const [style, setStyle] = useState<CSSProperties | undefined>(undefined);
  const box = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const close = () => {
    setOpen(false);
    button.current?.focus();
  };
  // The list is fixed to the window: it follows its button when what is under it scrolls (a
  // scroll may still be ending as the button is clicked), and closes when the button is gone.
  useEffect(() => {
    if (!open) return;
    const onScroll = (e: Event) => {
      if (box.current?.contains(e.target as Node | null) || !button.current) return;
      const r = button.current.getBoundingClientRect();
      if (r.bottom < 0 || r.top > window.innerHeight || (r.width === 0 && r.height === 0)) setOpen(false);
      else setStyle(popoverStyle(r, window));
    };
    window.addEventListener('scroll', onScroll, true);
    return () => window.removeEventListener('scroll', onScroll, true);
  }, [open]);
  return (
    <div className="picker" ref={box}
      onBlur={(e) => {
        if (open && !box.current?.contains(e.relatedTarget as Node | null)) setOpen(false);
      }}>
      <button type="button" ref={button} className="picker-button" aria-expanded={open} aria-haspopup="dialog"
        aria-label={t('picker.open', { field: fieldLabel })} title={t('picker.open', { field: fieldLabel })}
        data-testid={`picker-${testId}`} onClick={() => {
          if (!open && button.current) setStyle(popoverStyle(button.current.getBoundingClientRect(), window));
          setOpen(!open);
        }}>
        {'{…}'}
      </button>
      {open && (
        <PickerList nodeId={nodeId} onClose={close} style={style} onPick={(text) => {
          setOpen(false);
          onInsert(text);
        }} />
      )}
    </div>
  );
}
