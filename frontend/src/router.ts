// Hash routes: #/flows, #/templates, #/team, #/invite/<token>, #/flows/<id>, #/flows/<id>/runs
// (journal), #/runs/<id>. The Go server serves one index.html.
import { useEffect, useState } from 'react';

export type Route =
  | { page: 'flows' }
  | { page: 'templates'; open?: string }
  | { page: 'team' }
  | { page: 'invite'; token: string }
  | { page: 'editor'; id: string }
  | { page: 'journal'; id: string }
  | { page: 'run'; id: string };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '');
  const m = /^\/flows\/([^/]+)$/.exec(path);
  if (m) return { page: 'editor', id: decodeURIComponent(m[1]) };
  const j = /^\/flows\/([^/]+)\/runs$/.exec(path);
  if (j) return { page: 'journal', id: decodeURIComponent(j[1]) };
  const r = /^\/runs\/([^/]+)$/.exec(path);
  if (r) return { page: 'run', id: decodeURIComponent(r[1]) };
  if (path === '/templates') return { page: 'templates' };
  const tpl = /^\/templates\/([^/]+)$/.exec(path);
  if (tpl) return { page: 'templates', open: decodeURIComponent(tpl[1]) }; // one template's form, open
  if (path === '/team') return { page: 'team' };
  const inv = /^\/invite\/([^/]+)$/.exec(path);
  if (inv) return { page: 'invite', token: decodeURIComponent(inv[1]) };
  return { page: 'flows' };
}

export function go(path: string): void {
  window.location.hash = path;
}

export function sameRoute(a: Route, b: Route): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * A page with work that a navigation would lose (the editor with unsaved changes) sets a guard:
 * it returns the question to ask before going to `to`, or null to let the navigation pass.
 */
export type LeaveGuard = (to: Route) => string | null;
let leaveGuard: LeaveGuard | null = null;

/** Sets the guard; the returned function removes it (if it is still the one set). */
export function setLeaveGuard(g: LeaveGuard): () => void {
  leaveGuard = g;
  return () => {
    if (leaveGuard === g) leaveGuard = null;
  };
}

/** Whether the app may go from `from` to `to`: asks the guard's question when there is one. */
export function mayLeave(from: Route, to: Route, confirm: (question: string) => boolean = (q) => window.confirm(q)): boolean {
  if (sameRoute(from, to) || !leaveGuard) return true;
  const question = leaveGuard(to);
  return !question || confirm(question);
}

/** Asks the guard's question before something that leaves every page (signing out). */
export function mayLeaveAll(confirm: (question: string) => boolean = (q) => window.confirm(q)): boolean {
  const question = leaveGuard?.({ page: 'flows' });
  return !question || confirm(question);
}

/** The route of a click on an in-app link (#/…), or null when the click is not one. */
export function linkRoute(e: MouseEvent): { hash: string; route: Route } | null {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return null;
  const a = (e.target as Element | null)?.closest?.('a[href^="#"]');
  if (!a || a.getAttribute('target')) return null;
  const hash = a.getAttribute('href') ?? '';
  return { hash, route: parseRoute(hash) };
}

/**
 * The current route. Every way of leaving a guarded page asks first: an in-app link is stopped
 * before it changes the address; the back and forward buttons (and go()) have changed it already,
 * so a refused navigation puts the page's address back as a new history entry — Back asks again.
 */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    let current = window.location.hash;
    let passed: string | null = null; // a link the user already agreed to follow
    const onClick = (e: MouseEvent) => {
      const link = linkRoute(e);
      if (!link) return;
      if (mayLeave(parseRoute(current), link.route)) passed = link.hash;
      else e.preventDefault();
    };
    const onHash = () => {
      const hash = window.location.hash;
      if (hash === current) return;
      const to = parseRoute(hash);
      if (passed === hash) passed = null;
      else if (!mayLeave(parseRoute(current), to)) {
        window.history.pushState(null, '', current || '#/flows');
        return;
      }
      current = hash;
      setRoute(to);
    };
    document.addEventListener('click', onClick, true);
    window.addEventListener('hashchange', onHash);
    return () => {
      document.removeEventListener('click', onClick, true);
      window.removeEventListener('hashchange', onHash);
    };
  }, []);
  return route;
}

/** Links of the journal pages. */
export const journalHref = (flowId: string) => `#/flows/${encodeURIComponent(flowId)}/runs`;
export const templateHref = (id: string) => `#/templates/${encodeURIComponent(id)}`;
export const runHref = (runId: string) => `#/runs/${encodeURIComponent(runId)}`;
