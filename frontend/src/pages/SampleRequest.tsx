// The Test's sample request as a form of the fields the source sends, prefilled from the newest
// captured request or the preset's example; a list to pick another captured request; the raw
// JSON behind an "advanced" switch.
import { useEffect, useState } from 'react';
import { useLang, useT } from '../i18n/i18n';
import { textIn } from '../api/types';
import { useCatalog } from '../store/catalog';
import { useFlowStore } from '../store/flowStore';
import { autoSample, pickedExample, sampleFields, setSampleValue, triggerPreset } from '../engine/sampleForm';
import { chooseCaptured, typeSample, useSampleOrigin } from '../engine/sampleOrigin';
import { warmFor } from '../engine/warmup';

export function SampleRequest() {
  const t = useT();
  const lang = useLang((s) => s.lang);
  const nodes = useFlowStore((s) => s.nodes);
  const payload = useFlowStore((s) => s.payload);
  const samples = useFlowStore((s) => s.samples);
  const presets = useCatalog((s) => s.presets);
  const origin = useSampleOrigin((s) => s.origin);
  const [raw, setRaw] = useState(false);
  const flowId = useFlowStore((s) => s.flowId);
  const [warmed, setWarmed] = useState<string | null>(null);

  // Once the opened flow has its sample, warm the engine with them (see Engine.warm).
  const hasPayload = payload.trim() !== '';
  useEffect(() => {
    if (!flowId || !hasPayload) return;
    let gone = false;
    const st = useFlowStore.getState();
    void warmFor(st.document(), st.payload, lang).then(() => !gone && setWarmed(flowId));
    return () => {
      gone = true;
    };
    // once per opened flow (the engine warms once; a later language or sample needs none)
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [flowId, hasPayload]);

  useEffect(() => {
    const next = autoSample(payload, origin, nodes, presets, samples);
    if (!next) return;
    useSampleOrigin.setState({ origin: next.origin });
    useFlowStore.getState().setPayload(next.payload);
  }, [payload, origin, nodes, presets, samples]);

  const preset = triggerPreset(nodes, presets);
  const presetId = preset?.id ?? '';
  const fields = sampleFields(payload, preset, nodes, lang);
  const title = textIn(preset?.title, lang);
  const when = (iso: string) => new Date(iso).toLocaleString(lang);
  const chosen = origin?.kind === 'captured' ? origin.eventId : origin?.kind === 'edited' ? 'edited' : 'example';
  const choose = (value: string) => {
    if (value === 'example') {
      const next = pickedExample(nodes, presets);
      useSampleOrigin.setState({ origin: next.origin });
      useFlowStore.getState().setPayload(next.payload);
      return;
    }
    const s = samples.find((x) => x.event_id === value);
    if (s) chooseCaptured(s);
  };

  return (
    <div className="sample-request" data-testid="sample-request" data-engine={warmed === flowId ? 'warm' : 'cold'}>
      <div className="field">
        <label htmlFor="sample-source">{t('sample.source')}</label>
        <select id="sample-source" data-testid="sample-source" value={chosen} onChange={(e) => choose(e.target.value)}>
          {samples.map((s, i) => (
            <option key={s.event_id} value={s.event_id}>
              {t(i === 0 ? 'sample.latest' : 'sample.captured', { time: when(s.received_at) })}
            </option>
          ))}
          <option value="example">{title ? t('sample.example', { source: title }) : t('sample.exampleAny')}</option>
          {chosen === 'edited' && <option value="edited">{t('sample.edited')}</option>}
        </select>
      </div>
      {fields && fields.length > 0 && !raw && (
        <div className="sample-fields" data-testid="sample-fields">
          {fields.map((f) => (
            <div className="field" key={f.key}>
              <label htmlFor={`sample-${f.key}`}>{f.label}</label>
              <input id={`sample-${f.key}`} data-testid={`sample-${f.key}`} type="text" autoComplete="off"
                value={f.value} placeholder={f.example ? t('sample.eg', { example: f.example }) : ''}
                onChange={(e) => typeSample(setSampleValue(payload, f.key, e.target.value), presetId)} />
            </div>
          ))}
        </div>
      )}
      {fields && fields.length === 0 && !raw && <p className="muted small">{t('sample.noFields')}</p>}
      {!fields && <p className="error small" role="alert">{t('sample.unreadable')}</p>}
      <label className="small sample-raw-toggle">
        <input type="checkbox" data-testid="sample-raw-toggle" checked={raw || !fields} disabled={!fields}
          onChange={(e) => setRaw(e.target.checked)} /> {t('sample.raw')}
      </label>
      {(raw || !fields) && (
        <>
          <label htmlFor="payload">{t('editor.payload')}</label>
          <textarea id="payload" className="code" rows={8} value={payload} onChange={(e) => typeSample(e.target.value, presetId)} />
        </>
      )}
    </div>
  );
}
