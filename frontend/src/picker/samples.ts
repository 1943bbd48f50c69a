// Loads the requests the flow's webhook captured into the store (they feed the variable picker
// and offer a real Test payload).
import { useEffect } from 'react';
import { api } from '../api/client';
import { useFlowStore } from '../store/flowStore';

export async function loadSamples(flowId: string): Promise<void> {
  const { samples, fields } = await api.samples(flowId);
  if (useFlowStore.getState().flowId === flowId) useFlowStore.getState().setSamples(samples, fields);
}

/** Loads the samples once per opened flow; a failure only means the picker offers fewer fields. */
export function useSamples(): void {
  const flowId = useFlowStore((s) => s.flowId);
  useEffect(() => {
    if (flowId) loadSamples(flowId).catch(() => undefined);
  }, [flowId]);
}
