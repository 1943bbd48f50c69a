// Which request the Test's sample is (see sampleForm.ts autoSample), shared by the Test panel and
// the webhook step's "wait for a test request".
import { create } from 'zustand';
import type { Sample } from '../api/types';
import { useFlowStore } from '../store/flowStore';
import { capturedPayload, type SampleOrigin } from './sampleForm';

export const useSampleOrigin = create<{ origin: SampleOrigin | null }>()(() => ({ origin: null }));

/** Makes a captured request the Test's sample. */
export function chooseCaptured(s: Sample): void {
  useSampleOrigin.setState({ origin: { kind: 'captured', eventId: s.event_id } });
  useFlowStore.getState().setPayload(capturedPayload(s));
}

/** Sets the sample the user typed: it is kept until the preset changes. */
export function typeSample(payload: string, preset: string): void {
  useSampleOrigin.setState({ origin: { kind: 'edited', preset } });
  useFlowStore.getState().setPayload(payload);
}
