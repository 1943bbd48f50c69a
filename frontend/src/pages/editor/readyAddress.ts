// The address a flow's source service calls: the webhook URL with the trigger preset's parameters.
import type { FlowDocument, Preset } from '../../api/types';
import { readyUrl } from '../../inspector/webhookSetup';

/** The trigger's preset, when the flow has a webhook trigger that names one. */
export function triggerPreset(doc: Pick<FlowDocument, 'nodes'> | null | undefined, presets: Preset[]): Preset | undefined {
  const trigger = doc?.nodes?.find((n) => n.kind === 'webhook');
  const id = trigger?.config?.preset;
  return typeof id === 'string' ? presets.find((p) => p.id === id) : undefined;
}

/** The ready-to-paste address of a flow (GetCourse: …/hook/t?email={object.email}&…). */
export function flowAddress(webhookUrl: string, doc: Pick<FlowDocument, 'nodes'> | null | undefined, presets: Preset[]): string {
  if (!webhookUrl) return ''; // a schedule flow: nothing calls it
  return readyUrl(webhookUrl, triggerPreset(doc, presets));
}
