// Node kinds and trigger presets from the server, loaded once per page.
import { create } from 'zustand';
import { api } from '../api/client';
import type { KindInfo, Preset } from '../api/types';

interface CatalogState {
  kinds: KindInfo[];
  presets: Preset[];
  loaded: boolean;
  error: string | null;
  load(): Promise<void>;
}

/**
 * Whether a step of this kind starts a flow (nothing may lead into it), as its kind declares. Before
 * the kinds are loaded, the built-in trigger's name answers.
 */
export function isTriggerKind(kind: string): boolean {
  return useCatalog.getState().kinds.find((k) => k.kind === kind)?.trigger ?? kind === 'webhook';
}

export const useCatalog = create<CatalogState>()((set, get) => ({
  kinds: [],
  presets: [],
  loaded: false,
  error: null,
  async load() {
    if (get().loaded) return;
    try {
      const [kinds, presets] = await Promise.all([api.kinds(), api.presets()]);
      set({ kinds, presets, loaded: true, error: null });
    } catch (err) {
      set({ error: err instanceof Error ? err.message : String(err) });
    }
  },
}));
