// The trigger's panel: the ready-to-paste webhook address with the preset's parameters, the
// setup guide, copy buttons, and "wait for a test request" that shows the request as it arrives
// and makes it the Test payload (and so feeds the variable picker).
import { useEffect, useRef, useState } from 'react';
import type { Sample } from '../api/types';
import { useCatalog } from '../store/catalog';
import { useFlowStore } from '../store/flowStore';
import type { HookNode } from '../store/document';
import { useLang, useT } from '../i18n/i18n';
import { formatDateTime } from '../i18n/dates';
import { loadSamples } from '../picker/samples';
import { describeRequest, guideSteps, readyUrl } from './webhookSetup';
import { CopyAddress } from '../pages/editor/CopyAddress';
import { chooseCaptured } from '../engine/sampleOrigin';
import { waitForRequest, type Waiting } from '../live/liveClient';

function Pairs({ pairs }: { pairs: [string, string][] }) {
  return (
    <table className="kv">
      <tbody>
        {pairs.map(([k, v], i) => (
          <tr key={i}>
            <th>{k}</th>
            <td>{v}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ArrivedRequest({ sample }: { sample: Sample }) {
  const t = useT();
  const lang = useLang((s) => s.lang);
  const r = describeRequest(sample.payload);
  return (
    <div className="arrived" data-testid="arrived-request">
      <div>
        {t('webhook.method')}: <b>{r.method}</b> · <span className="muted small">{formatDateTime(sample.received_at, lang)}</span>
      </div>
      {r.query.length > 0 && (
        <>
          <div className="small">{t('webhook.query')}</div>
          <Pairs pairs={r.query} />
        </>
      )}
      {r.form && (
        <>
          <div className="small">{t('webhook.form')}</div>
          <Pairs pairs={r.form} />
        </>
      )}
      {r.json !== undefined && (
        <>
          <div className="small">{t('webhook.json')}</div>
          <pre className="json">{JSON.stringify(r.json, null, 2)}</pre>
        </>
      )}
      {r.text && (
        <>
          <div className="small">{t('webhook.body')}</div>
          <pre className="json">{r.text}</pre>
        </>
      )}
    </div>
  );
}

export function WebhookPanel({ node }: { node: HookNode }) {
  const t = useT();
  const lang = useLang((s) => s.lang);
  const flowId = useFlowStore((s) => s.flowId);
  const webhookUrl = useFlowStore((s) => s.webhookUrl);
  const samples = useFlowStore((s) => s.samples);
  const presetId = node.data.config.preset;
  const preset = useCatalog((s) => s.presets.find((p) => p.id === presetId));
  const [waiting, setWaiting] = useState(false);
  const [listening, setListening] = useState(false);
  const [failure, setFailure] = useState('');
  const [arrivedId, setArrivedId] = useState<string | null>(null);
  const wait = useRef<Waiting | null>(null);

  useEffect(() => () => wait.current?.cancel(), []);

  const arrived = (eventId: string) => {
    setWaiting(false);
    wait.current = null;
    if (!flowId) return;
    loadSamples(flowId).then(
      () => {
        const list = useFlowStore.getState().samples;
        const s = list.find((x) => x.event_id === eventId) ?? list[0];
        if (!s) return;
        setArrivedId(s.event_id);
        chooseCaptured(s);
      },
      (err: unknown) => setFailure(err instanceof Error ? err.message : String(err)),
    );
  };

  const start = () => {
    if (!flowId) return;
    setFailure('');
    setArrivedId(null);
    setWaiting(true);
    setListening(false);
    wait.current = waitForRequest(flowId, arrived, () => {
      wait.current = null;
      setWaiting(false);
      setFailure(t('webhook.connectionLost'));
    }, undefined, setListening);
  };
  const stop = () => {
    wait.current?.cancel();
    wait.current = null;
    setWaiting(false);
  };

  const shown = arrivedId ? samples.find((s) => s.event_id === arrivedId) : undefined;
  const guide = guideSteps(preset, lang, webhookUrl);
  return (
    <section className="webhook-panel" data-testid="webhook-panel">
      <h3>{t('webhook.title')}</h3>
      {webhookUrl ? (
        <>
          <CopyAddress oneLine label={preset?.params.some((p) => p.variable) ? t('webhook.readyUrl') : t('webhook.url')}
            url={readyUrl(webhookUrl, preset)} testId="webhook-ready-url" />
          {readyUrl(webhookUrl, preset) !== webhookUrl && <CopyAddress oneLine label={t('webhook.url')} url={webhookUrl} testId="webhook-url" />}
        </>
      ) : (
        <p className="muted small">{t('webhook.saveFirst')}</p>
      )}
      <div className="wait">
        {waiting ? (
          <>
            <p role="status" aria-live="polite" data-testid="waiting" data-listening={listening}>
              {listening ? t('webhook.waiting') : t('webhook.connecting')}
            </p>
            <button type="button" onClick={stop}>{t('webhook.stopWaiting')}</button>
          </>
        ) : (
          <button type="button" onClick={start} disabled={!flowId} data-testid="wait-request">{t('webhook.wait')}</button>
        )}
        {failure && <p className="error" role="alert">{failure}</p>}
        {shown && (
          <>
            <p className="status-success" role="status">{t('webhook.arrived')}</p>
            <ArrivedRequest sample={shown} />
          </>
        )}
        {!shown && !waiting && samples.length > 0 && (
          <p className="small muted">
            {t('webhook.captured', { count: samples.length })}{' '}
            <button type="button" className="link" onClick={() => {
              setArrivedId(samples[0].event_id);
              chooseCaptured(samples[0]);
            }}>{t('webhook.useLatest')}</button>
          </p>
        )}
      </div>
      {guide.length > 0 && (
        <details open>
          <summary>{t('webhook.guide')}</summary>
          <ol className="guide" data-testid="webhook-guide">
            {guide.map((s, i) => (
              <li key={i}>{s}</li>
            ))}
          </ol>
        </details>
      )}
    </section>
  );
}
