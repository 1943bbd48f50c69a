// A modal dialog and the button that opens it (the flow's settings, its versions): it closes by
// Escape, by a click beside it, or by what its content does with close.
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import '../journal/runs.css';

export function Modal({ label, testId, onClose, children }: { label: string; testId: string; onClose(): void; children: ReactNode }) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  return (
    <div className="modal-back" onClick={onClose}>
      <div className="modal" role="dialog" aria-modal="true" aria-label={label} onClick={(e) => e.stopPropagation()} data-testid={testId}>
        {children}
      </div>
    </div>
  );
}

/** A button that shows its dialog while open; the dialog gets close. */
export function ModalButton({ label, testId, dialog }: { label: string; testId: string; dialog(close: () => void): ReactNode }) {
  const [open, setOpen] = useState(false);
  const close = useCallback(() => setOpen(false), []);
  return (
    <>
      <button type="button" onClick={() => setOpen(true)} data-testid={testId}>{label}</button>
      {open && dialog(close)}
    </>
  );
}
