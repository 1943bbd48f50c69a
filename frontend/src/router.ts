// Hash routes: #/flows, #/templates, #/flows/<id>. The Go server serves one index.html.
import { useEffect, useState } from 'react';

export type Route = { page: 'flows' } | { page: 'templates' } | { page: 'editor'; id: string };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '');
  const m = /^\/flows\/([^/]+)$/.exec(path);
  if (m) return { page: 'editor', id: decodeURIComponent(m[1]) };
  if (path === '/templates') return { page: 'templates' };
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
