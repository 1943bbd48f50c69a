// The selected node's form, generated from its kind's fields, and its last test step.
import { StatusText } from '../journal/StatusText';
import { branchText } from '../i18n/branch';
import { useFlowStore } from '../store/flowStore';
import { useCatalog } from '../store/catalog';
import { useLang, useT } from '../i18n/i18n';
import { textIn, type StepTrace } from '../api/types';
import { formModel, setPath } from './formModel';
import { NodeForm } from './NodeForm';
import { WebhookPanel } from './WebhookPanel';
import { messageOnNode, problemsOfNoField } from '../store/problems';
import { useSamples } from '../picker/samples';

function Json({ value }: { value: unknown }) {
  return <pre className="json">{typeof value === 'string' ? value : JSON.stringify(value, null, 2)}</pre>;
}

function StepView({ step }: { step: StepTrace }) {
  const t = useT();
  const lang = useLang((s) => s.lang);
  return (
    <section className="step" data-testid="step">
      <h3>{t('inspector.step')}</h3>
      <div>
        {t('inspector.status')}: <b><StatusText status={step.status} /></b>
        {step.branch ? ` (${branchText(step.branch, lang)})` : ''} · {t('words.ms', { n: step.duration_ms })}
      </div>
      {(step.error_text || step.error) && (
        <div className="error">
          {t('inspector.stepError')}: {step.error_text || step.error}
        </div>
      )}
      {step.input !== undefined && (
        <details open>
          <summary>{t('inspector.input')}</summary>
          <Json value={step.input} />
        </details>
      )}
      {step.output !== undefined && (
        <details open>
          <summary>{t('inspector.output')}</summary>
          <Json value={step.output} />
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
  const items = formModel(kind?.fields ?? [], node.data.config, lang);
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
        onChange={(path, v) => updateNode(node.id, { config: setPath(node.data.config, path, v) })} />
      {isTrigger && <WebhookPanel node={node} />}
      <button type="button" className="danger" onClick={() => removeNode(node.id)}>
        {t('inspector.deleteNode')}
      </button>
      {step ? <StepView step={step} /> : traced ? <p className="muted">{t('inspector.noStep')}</p> : null}
    </aside>
  );
}
