// Pasting parameters into a key/value table: a parameter string or "name: value" lines pasted
// into a key cell become rows at once, and "Paste parameters" opens a box for the same (for
// those who do not think of pasting into a cell). What was not read is said, not dropped.
import { useState, type ClipboardEvent } from 'react';
import { useT } from '../i18n/i18n';
import { joinPath, expression } from '../picker/model';
import { useCatalog } from '../store/catalog';
import { useFlowStore } from '../store/flowStore';
import { emptyRow, type FormItem } from './formModel';
import { mergeRows, parsePastedRows, type VariableMap } from './pasteRows';

/** The trigger preset's variables ({object.phone}) and the references they stand for. */
function useVariables(): VariableMap[] {
  const preset = useFlowStore((s) => s.nodes.find((n) => n.data.kind === 'webhook')?.data.config.preset);
  const presets = useCatalog((s) => s.presets);
  const p = presets.find((x) => x.id === preset);
  return (p?.params ?? [])
    .filter((x) => typeof x.variable === 'string' && x.variable !== '')
    .map((x) => ({ variable: x.variable as string, reference: expression(joinPath(['trigger', 'params', x.key])) }));
}

export interface PasteNote {
  added: number;
  skipped: string[];
}

export interface PasteRowsApi {
  /** the table has a key and a value column */
  enabled: boolean;
  onPaste(i: number): (e: ClipboardEvent<HTMLElement>) => void;
  /** adds the rows of text; false when nothing in it could be read */
  addText(text: string): boolean;
  note: PasteNote | null;
}

export function usePasteRows(item: FormItem, rows: Record<string, unknown>[], onChange: (rows: Record<string, unknown>[]) => void): PasteRowsApi {
  const vars = useVariables();
  const [note, setNote] = useState<PasteNote | null>(null);
  const columns = item.columns ?? [];
  const valueKey = columns.some((c) => c.key === 'value') ? 'value' : '';
  const enabled = columns.some((c) => c.key === 'key') && valueKey !== '';
  const add = (text: string, at: number): boolean => {
    const got = parsePastedRows(text, vars);
    if (!got) return false;
    onChange(mergeRows(rows, at, got.rows, () => emptyRow(columns), valueKey));
    setNote({ added: got.rows.length, skipped: got.skipped });
    return true;
  };
  return {
    enabled,
    note,
    onPaste: (i) => (e) => {
      if (add(e.clipboardData.getData('text/plain'), i)) e.preventDefault();
    },
    addText: (text) => {
      const last = rows.length - 1;
      const lastEmpty = last >= 0 && !rows[last].key && !rows[last][valueKey];
      return add(text, lastEmpty ? last : rows.length);
    },
  };
}

export function PasteRows({ path, paste }: { path: string; paste: PasteRowsApi }) {
  const t = useT();
  const [open, setOpen] = useState(false);
  const [text, setText] = useState('');
  const [unread, setUnread] = useState(false);
  return (
    <>
      <button type="button" aria-expanded={open} data-testid={`paste-open-${path}`} onClick={() => setOpen(!open)}>
        {t('mapping.paste')}
      </button>
      {open && (
        <div className="paste-rows">
          <label htmlFor={`paste-${path}`} className="small">{t('mapping.pasteHelp')}</label>
          <textarea id={`paste-${path}`} rows={4} value={text} data-testid={`paste-text-${path}`}
            onChange={(e) => {
              setText(e.target.value);
              setUnread(false);
            }} />
          <button type="button" data-testid={`paste-add-${path}`} onClick={() => {
            if (paste.addText(text)) {
              setText('');
              setOpen(false);
            } else setUnread(true);
          }}>{t('mapping.pasteAdd')}</button>
          {unread && <p className="error small">{t('mapping.pasteNothing')}</p>}
        </div>
      )}
      {paste.note && (
        <p className="muted small" data-testid={`paste-note-${path}`}>
          {t('mapping.pasted', { n: paste.note.added })}
          {paste.note.skipped.length > 0 && (
            <span className="error"> {t('mapping.pasteSkipped', { lines: paste.note.skipped.join(' · ') })}</span>
          )}
        </p>
      )}
    </>
  );
}
