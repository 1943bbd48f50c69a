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
