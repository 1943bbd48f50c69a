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

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const on = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}

/** Links of the journal pages. */
export const journalHref = (flowId: string) => `#/flows/${encodeURIComponent(flowId)}/runs`;
export const templateHref = (id: string) => `#/templates/${encodeURIComponent(id)}`;
export const runHref = (runId: string) => `#/runs/${encodeURIComponent(runId)}`;
