// The flow's problems as one toolbar button with a count; the list opens over the canvas, so
// problems appearing and going while the user edits never move the canvas under the mouse.
import { useEffect, useRef, useState } from 'react';
import { useT } from '../i18n/i18n';
import { useFlowStore } from '../store/flowStore';

export function ProblemsButton() {
  const t = useT();
  const problems = useFlowStore((s) => s.problems);
  const [open, setOpen] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent | KeyboardEvent) => {
      if (e instanceof KeyboardEvent ? e.key === 'Escape' : !box.current?.contains(e.target as Node)) setOpen(false);
    };
    window.addEventListener('mousedown', close);
    window.addEventListener('keydown', close);
    return () => {
      window.removeEventListener('mousedown', close);
      window.removeEventListener('keydown', close);
    };
  }, [open]);
  if (problems.length === 0) return <span className="muted small problems-none" data-testid="problems-count">{t('editor.noProblems')}</span>;
  return (
    <div className="problems-menu" ref={box}>
      <button type="button" className="problems-button" aria-expanded={open} onClick={() => setOpen(!open)} data-testid="problems-count">
        ⚠ {t('editor.problemsCount', { count: problems.length })}
      </button>
      {open && (
        <div className="problems" role="dialog" aria-label={t('editor.problems')}>
          <ul>
            {problems.map((p, i) => (
              <li key={i}>
                {p.node && (
                  <button type="button" className="link" onClick={() => { useFlowStore.getState().select(p.node ?? null); setOpen(false); }}>
                    {p.node}
                  </button>
                )}{' '}
                {p.message}
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
