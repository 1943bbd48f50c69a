// A templated text field (input or textarea) with the variable picker and the clean-up menu beside
// it; a chosen reference replaces the field's selection, and the caret lands after it. The field
// focused last is where a clicked value from a step's data goes (pointing.ts).
import { useEffect, useLayoutEffect, useRef, type ClipboardEvent } from 'react';
import { CleanUpMenu } from './CleanUpMenu';
import { insertAt } from './model';
import { usePointing } from './pointing';
import { VariablePicker } from './VariablePicker';

export interface TemplateInputProps {
  id: string;
  nodeId: string;
  value: string;
  onChange(value: string): void;
  label: string;
  multiline?: boolean;
  invalid?: boolean;
  describedBy?: string;
  onPaste?(e: ClipboardEvent<HTMLElement>): void;
}

export function TemplateInput({ id, nodeId, value, onChange, label, multiline, invalid, describedBy, onPaste }: TemplateInputProps) {
  const el = useRef<HTMLInputElement & HTMLTextAreaElement>(null);
  const caret = useRef<number | null>(null);
  // the latest value and label for an insertion that comes from outside (a clicked value)
  const latest = useRef({ value, onChange, label });
  latest.current = { value, onChange, label };
  const active = usePointing((s) => s.field?.fieldId === id);

  // after an insertion re-renders the field, put the focus and caret back into it
  useLayoutEffect(() => {
    if (caret.current === null || !el.current) return;
    el.current.focus();
    el.current.setSelectionRange(caret.current, caret.current);
    caret.current = null;
  }, [value]);

  const apply = (next: { value: string; caret: number }) => {
    caret.current = next.caret;
    latest.current.onChange(next.value);
  };
  const insert = (text: string) => {
    const f = el.current;
    apply(insertAt(latest.current.value, f?.selectionStart ?? null, f?.selectionEnd ?? null, text));
  };
  const point = () => usePointing.getState().setField({ nodeId, fieldId: id, label: latest.current.label, insert });
  useEffect(() => () => usePointing.getState().clear(id), [id]);

  const common = {
    id,
    ref: el,
    value,
    className: active ? 'pointing-target' : undefined,
    'aria-invalid': invalid || undefined,
    'aria-describedby': describedBy,
    onFocus: point,
    onPaste,
    onChange: (e: { target: { value: string } }) => onChange(e.target.value),
  };
  return (
    <div className="with-picker">
      {multiline ? <textarea rows={4} {...common} /> : <input type="text" {...common} />}
      <VariablePicker nodeId={nodeId} onInsert={insert} fieldLabel={label} testId={id} />
      <CleanUpMenu value={value} caret={() => el.current?.selectionStart ?? null} onApply={apply} fieldLabel={label} testId={id} />
    </div>
  );
}
