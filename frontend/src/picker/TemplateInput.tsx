// A templated text field (input or textarea) with the variable picker beside it; a chosen
// reference replaces the field's selection, and the caret lands after it.
import { useLayoutEffect, useRef } from 'react';
import { insertAt } from './model';
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
}

export function TemplateInput({ id, nodeId, value, onChange, label, multiline, invalid, describedBy }: TemplateInputProps) {
  const el = useRef<HTMLInputElement & HTMLTextAreaElement>(null);
  const caret = useRef<number | null>(null);

  // after an insertion re-renders the field, put the focus and caret back into it
  useLayoutEffect(() => {
    if (caret.current === null || !el.current) return;
    el.current.focus();
    el.current.setSelectionRange(caret.current, caret.current);
    caret.current = null;
  }, [value]);

  const insert = (text: string) => {
    const f = el.current;
    const next = insertAt(value, f?.selectionStart ?? null, f?.selectionEnd ?? null, text);
    caret.current = next.caret;
    onChange(next.value);
  };
  const common = {
    id,
    ref: el,
    value,
    'aria-invalid': invalid || undefined,
    'aria-describedby': describedBy,
    onChange: (e: { target: { value: string } }) => onChange(e.target.value),
  };
  return (
    <div className="with-picker">
      {multiline ? <textarea rows={4} {...common} /> : <input type="text" {...common} />}
      <VariablePicker nodeId={nodeId} onInsert={insert} fieldLabel={label} testId={id} />
    </div>
  );
}
