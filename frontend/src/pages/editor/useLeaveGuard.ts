// "Nothing lost by accident": while the editor holds unsaved changes, every way out asks first —
// an in-app link and the back button through the router's guard, closing or reloading the tab
// through beforeunload (the browser asks with its own words there).
//
// Asking was chosen over keeping a draft in localStorage: a flow is shared by a team, and a draft
// offered days later may be older than what a teammate saved since; restoring it would silently
// undo their work. Asking keeps one copy of the flow — the server's — and covers all three ways.
import { useEffect } from 'react';
import { setLeaveGuard } from '../../router';

/** What beforeunload does while there is unsaved work: makes the browser ask. */
export function askBeforeUnload(e: BeforeUnloadEvent, question: string): void {
  e.preventDefault();
  e.returnValue = question; // older browsers show or need a non-empty value
}

export function useLeaveGuard(dirty: boolean, question: string): void {
  useEffect(() => {
    if (!dirty) return;
    const remove = setLeaveGuard(() => question);
    const onUnload = (e: BeforeUnloadEvent) => askBeforeUnload(e, question);
    window.addEventListener('beforeunload', onUnload);
    return () => {
      remove();
      window.removeEventListener('beforeunload', onUnload);
    };
  }, [dirty, question]);
}
