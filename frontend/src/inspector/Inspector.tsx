// The selected node's form, generated from its kind's fields, and its last test step.
import { useMemo } from 'react';
import { StatusText } from '../journal/StatusText';
import { DelayNote } from '../journal/DelayNote';
import { useFlowStore } from '../store/flowStore';
import { isTriggerKind, useCatalog } from '../store/catalog';
import { shownFields } from './scheduleForm';
import { useStepTitles } from '../nodes/HookNodeView';
import { useLang, useT } from '../i18n/i18n';
import { textIn, type StepTrace } from '../api/types';
import { formModel, setPath } from './formModel';
import { NodeForm } from './NodeForm';
import { WebhookPanel } from './WebhookPanel';
import { messageOnNode, problemsOfNoField } from '../store/problems';
import { useSamples } from '../picker/samples';
import { inputSource } from '../picker/pointing';
import { upstreamOf } from '../picker/model';
import { PointingHint, ValueTree } from '../picker/ValueTree';
import { outputLabel } from '../nodes/outputs';
import { ItemRows } from '../journal/ItemRows';
import { itemRowsFor } from '../journal/items';

function Json({ value }: { value: unknown }) {
  return <pre className="json">{typeof value === 'string' ? value : JSON.stringify(value, null, 2)}</pre>;
}

/** The results of the steps further back than the one feeding this step, closed: more values to click. */
/** The trigger preset's labels of its parameters in the user's language, by path in its output. */
function usePresetLabels(): Record<string, string> {
  const lang = useLang((s) => s.lang);
  const preset = useFlowStore((s) => s.nodes.find((n) => isTriggerKind(n.data.kind))?.data.config.preset);
  const presets = useCatalog((s) => s.presets);
  return useMemo(() => {
    const out: Record<string, string> = {};
    for (const p of presets.find((x) => x.id === preset)?.params ?? []) {
      const label = p.label ? textIn(p.label, lang) : '';
      if (label && label !== p.key) for (const at of ['params', 'query', 'form']) out[`${at}.${p.key}`] = label;
    }
    return out;
  }, [lang, preset, presets]);
}

function EarlierSteps({ nodeId, direct, triggerId }: { nodeId: string; direct: string; triggerId?: string }) {
  const t = useT();
  const titleOf = useStepTitles();
  const edges = useFlowStore((s) => s.edges);
  const nodes = useFlowStore((s) => s.nodes);
  const steps = useFlowStore((s) => s.steps);
  const before = useMemo(() => upstreamOf(nodeId, edges), [nodeId, edges]);
  const labels = usePresetLabels();
  const shown = nodes.filter((n) => before.has(n.id) && n.id !== direct && steps[n.id]?.output !== undefined);
  return (
    <>
      {shown.map((n) => (
        <details key={n.id} data-testid={`earlier-${n.id}`}>
          <summary>{t('picker.groupStep', { name: titleOf(n.id) })}</summary>
          <ValueTree value={steps[n.id].output} source={{ node: n.id, trigger: n.id === triggerId }} forNode={nodeId}
            labels={n.id === triggerId ? labels : undefined} />
        </details>
      ))}
    </>
  );
}

function StepView({ step }: { step: StepTrace }) {
  const t = useT();
  // the input is what the step before produced: its values can be clicked into this step's fields
  const edges = useFlowStore((s) => s.edges);
  const triggerId = useFlowStore((s) => s.nodes.find((n) => isTriggerKind(n.data.kind))?.id);
  const src = useMemo(() => inputSource(step.node, edges, triggerId), [step.node, edges, triggerId]);
  const labels = usePresetLabels();
  const titleOf = useStepTitles();
  const from = src?.node ? titleOf(src.node) : '';
  // the branch taken in the user's words: a route's name, "да" rather than true
  const lang = useLang((s) => s.lang);
  const config = useFlowStore((s) => s.nodes.find((n) => n.id === step.node)?.data.config);
  const branch = step.branch ? outputLabel(step.kind, step.branch, lang, undefined, config) : '';
  const trace = useFlowStore((s) => s.trace);
  const items = useMemo(() => itemRowsFor(trace, step), [trace, step]);
  return (
    <section className="step" data-testid="step">
      <h3>{t('inspector.step')}</h3>
      <div>
        {t('inspector.status')}: <b><StatusText status={step.status} until={step.until} /></b>
        {step.branch ? ` (${branch})` : ''} · {t('words.ms', { n: step.duration_ms })}
      </div>
      <DelayNote step={step} />
      {(step.error_text || step.error) && (
        <div className="error">
          {t('inspector.stepError')}: {step.error_text || step.error}
        </div>
      )}
      {items && <ItemRows rows={items} />}
      {step.input !== undefined && (
        <details open>
          <summary>{from ? t('mapping.inputFrom', { name: from }) : t('inspector.input')}</summary>
          {src && <PointingHint forNode={step.node} />}
          <ValueTree value={step.input} source={src} forNode={step.node} testId="step-input" isInput labels={src?.trigger ? labels : undefined} />
        </details>
      )}
      <EarlierSteps nodeId={step.node} direct={src?.node ?? ''} triggerId={triggerId} />
      {step.kind === 'reply' && <ReplyAnswer output={step.output} />}
      {step.output !== undefined && (
        <details open>
          <summary>{t('inspector.output')}</summary>
          {/* a step's own output cannot be used in its own fields: shown as it is, not clickable */}
          <div data-testid="step-output"><Json value={step.output} /></div>
        </details>
      )}
      {step.http && (
        <details open>
          <summary>{t('inspector.request')}</summary>
          <Json value={step.http} />
        </details>
      )}
      {step.logs && step.logs.length > 0 && (
        <details open>
          <summary>{t('inspector.logs')}</summary>
          <pre className="json">{step.logs.join('\n')}</pre>
        </details>
      )}
    </section>
  );
}

/**
 * A step added after the last Test did not run, but the one step before it did: what that step
 * produced is what this one will get, shown (and clickable into this step's fields) as its input,
 * so a step can be filled from the last Test before it can run itself.
 */
function ComingInput({ nodeId }: { nodeId: string }) {
  const t = useT();
  const edges = useFlowStore((s) => s.edges);
  const triggerId = useFlowStore((s) => s.nodes.find((n) => isTriggerKind(n.data.kind))?.id);
  const src = useMemo(() => inputSource(nodeId, edges, triggerId), [nodeId, edges, triggerId]);
  const output = useFlowStore((s) => (src?.node ? s.steps[src.node]?.output : undefined));
  const titleOf = useStepTitles();
  const from = src?.node ? titleOf(src.node) : '';
  const labels = usePresetLabels();
  if (!src || !src.node || output === undefined) return null;
  return (
    <section className="step" data-testid="coming-input">
      <h3>{t('jsonpath.comingInput', { name: from })}</h3>
      <PointingHint forNode={nodeId} />
      <ValueTree value={output} source={src} forNode={nodeId} testId="step-input" isInput labels={src.trigger ? labels : undefined} />
    </section>
  );
}

/**
 * Before a Test, the fields the webhook's captured requests carried, clickable into this
 * step's fields like a step's input after a Test.
 */
function CapturedView({ nodeId }: { nodeId: string }) {
  const t = useT();
  const learned = useFlowStore((s) => s.learned);
  const labels = usePresetLabels();
  const value = useMemo(() => ({ params: Object.fromEntries(learned.map((f) => [f.key, f.example])) }), [learned]);
  if (learned.length === 0) return null;
  return (
    <section className="step" data-testid="captured-view">
      <h3>{t('mapping.capturedTitle')}</h3>
      <PointingHint forNode={nodeId} />
      <ValueTree value={value} source={{ node: '', trigger: true }} forNode={nodeId} testId="captured-values" labels={labels} />
    </section>
  );
}

export function Inspector() {
  const t = useT();
  const lang = useLang((s) => s.lang);
  const selectedId = useFlowStore((s) => s.selectedId);
  const node = useFlowStore((s) => s.nodes.find((n) => n.id === s.selectedId));
  const step = useFlowStore((s) => (s.selectedId ? s.steps[s.selectedId] : undefined));
  const traced = useFlowStore((s) => s.trace !== null);
  const updateNode = useFlowStore((s) => s.updateNode);
  const removeNode = useFlowStore((s) => s.removeNode);
  const kind = useCatalog((s) => s.kinds.find((k) => k.kind === node?.data.kind));
  const problems = useFlowStore((s) => s.problems);
  useSamples();
  if (!selectedId || !node) return <aside className="inspector"><p className="muted">{t('inspector.empty')}</p></aside>;
  const items = formModel(shownFields(node.data.kind, kind?.fields ?? [], node.data.config), node.data.config, lang, '', kind?.outputs_from);
  const general = problemsOfNoField(problems, node.id, items.map((i) => i.path));
  const isTrigger = kind?.trigger ?? node.data.kind === 'webhook';
  return (
    <aside className="inspector" data-testid="inspector">
      <h2>{textIn(kind?.title, lang) || node.data.kind}</h2>
      {kind?.help && <p className="help">{textIn(kind.help, lang)}</p>}
      <div className="field">
        <label htmlFor="node-name">{t('inspector.nodeName')}</label>
        <input id="node-name" type="text" value={node.data.name} onChange={(e) => updateNode(node.id, { name: e.target.value })} />
      </div>
      <div className="muted small">
        {t('inspector.id')}: <code>{node.id}</code>
      </div>
      {general.length > 0 && (
        <ul className="field-problems" data-testid="inspector-problems">
          {general.map((p, i) => (
            <li key={i}>{messageOnNode(p)}</li>
          ))}
        </ul>
      )}
      {/* keyed by node: editors (and their own undo history) never carry over to another node */}
      <NodeForm key={node.id} items={items} nodeId={node.id} problems={problems}
        onChange={(path, v) => {
          // from the store, not this render: one edit may change several fields in a row (the rule editor)
          const config = useFlowStore.getState().nodes.find((n) => n.id === node.id)?.data.config ?? node.data.config;
          updateNode(node.id, { config: setPath(config, path, v) });
        }} />
      {node.data.kind === 'webhook' && <WebhookPanel node={node} />}
      <button type="button" className="danger" onClick={() => removeNode(node.id)}>
        {t('inspector.deleteNode')}
      </button>
      {step ? <StepView step={step} /> : traced ? <p className="muted">{t('inspector.noStep')}</p> : null}
      {!step && traced && !isTrigger && <ComingInput nodeId={node.id} />}
      {!step && !isTrigger && <CapturedView nodeId={node.id} />}
    </aside>
  );
}

/** A Reply step's answer as the source would read it: status and type, then the text itself. */
function ReplyAnswer({ output }: { output: unknown }) {
  const t = useT();
  if (!output || typeof output !== 'object') return null;
  const o = output as { status?: unknown; content_type?: unknown; body?: unknown };
  return (
    <div className="reply-answer" data-testid="reply-answer">
      <div>{t('reply.preview', { status: String(o.status ?? ''), type: String(o.content_type ?? '') })}</div>
      <pre className="json" data-testid="reply-answer-body">{String(o.body ?? '')}</pre>
    </div>
  );
}
