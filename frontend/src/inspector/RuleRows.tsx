// The rule editor of a filter and of an HTTP step's success rule: rows of field · check · value
// chosen from menus in the user's words, "pass when every / any rule holds", and an advanced
// mode that shows the same rule as a JavaScript expression.
import { useMemo, useState, type ReactNode } from 'react';
import type { Problem } from '../api/types';
import { useT } from '../i18n/i18n';
import { insertAt } from '../picker/model';
import { usePickerGroups, VariablePicker } from '../picker/VariablePicker';
import { useFlowStore } from '../store/flowStore';
import { fieldMatches, messageOnNode, problemsOfField } from '../store/problems';
import type { FormItem } from './formModel';
import {
  answerFields, asRules, chooseField, chooseOp, choiceText, newRule, referenceFields, setValue, toExpression, toRows,
  type FieldChoice,
} from './ruleModel';
import { needsValue, RULE_OPS, type RuleRow } from './ruleText';

const OTHER = '\u0000other';

function useFieldChoices(nodeId: string, answer: boolean): FieldChoice[] {
  const t = useT();
  const sample = useFlowStore((s) => {
    const cfg = s.nodes.find((n) => n.id === nodeId)?.data.config;
    const sr = cfg?.sample_response;
    return sr && typeof sr === 'object' ? (sr as Record<string, unknown>).body : undefined;
  });
  const output = useFlowStore((s) => s.steps[nodeId]?.output);
  const groups = usePickerGroups(nodeId);
  return useMemo(
    () => (answer ? answerFields(sample, output, { status: t('rules.httpStatus'), body: t('rules.answerText') }) : referenceFields(groups)),
    [answer, sample, output, groups, t],
  );
}

function FieldPicker({ row, i, choices, onChoose, invalid, idBase }: {
  row: RuleRow; i: number; choices: FieldChoice[]; onChoose: (c: FieldChoice | string) => void; invalid: boolean; idBase: string;
}) {
  const t = useT();
  const known = choices.some((c) => c.value === row.left);
  const [typing, setTyping] = useState(false);
  if (typing) {
    return (
      <span className="rule-field rule-field-typed">
        <input type="text" aria-label={t('rules.field')} data-testid={`${idBase}-field-${i}`} value={row.left} autoFocus
          aria-invalid={invalid || undefined} placeholder={t('rules.fieldPlaceholder')} onChange={(e) => onChoose(e.target.value)} />
        {choices.length > 0 && (
          <button type="button" className="link" onClick={() => setTyping(false)}>{t('rules.backToMenu')}</button>
        )}
      </span>
    );
  }
  return (
    <select className="rule-field" aria-label={t('rules.field')} data-testid={`${idBase}-field-${i}`} value={row.left} aria-invalid={invalid || undefined}
      onChange={(e) => {
        if (e.target.value === OTHER) setTyping(true);
        else onChoose(choices.find((c) => c.value === e.target.value) ?? e.target.value);
      }}>
      <option value="">{t('rules.chooseField')}</option>
      {!known && row.left && <option value={row.left}>{row.left}</option>}
      {choices.map((c) => (
        <option key={c.value} value={c.value} data-user-data={/^[\w.[\]-]+$/.test(c.text) || undefined}>{choiceText(c)}</option>
      ))}
      <option value={OTHER}>{t('rules.typeField')}</option>
    </select>
  );
}

export function RuleRows({ item, nodeId, problems, onChange, expressionEditor }: {
  item: FormItem;
  nodeId: string;
  problems: Problem[];
  onChange: (path: string, v: unknown) => void;
  /** the expression's code editor, drawn by the form */
  expressionEditor: ReactNode;
}) {
  const t = useT();
  const rows = asRules(item.value);
  const answer = !(item.columns?.find((c) => c.key === 'left')?.template ?? false);
  // a value may be a {{reference}} (a setting, a field the source sent) where the engine allows it
  const references = item.columns?.find((c) => c.key === 'right')?.template ?? false;
  const choices = useFieldChoices(nodeId, answer);
  const expr = typeof item.expression?.value === 'string' ? (item.expression.value as string) : '';
  const match = item.match ? String(item.match.value || 'all') : 'all';
  const [advanced, setAdvanced] = useState(() => !!item.expression && expr.trim() !== '' && rows.length === 0);
  const [stuck, setStuck] = useState(false);
  const ops = item.options?.length ? item.options : [...RULE_OPS];
  // the checks' names in the user's language, as the kind's op field names its options
  const opLabels = item.columns?.find((c) => c.key === 'op')?.optionLabels ?? {};
  const idBase = `rules-${item.path}`;
  const mine = problemsOfField(problems, nodeId, item.path);
  const set = (next: RuleRow[]) => onChange(item.path, next);

  const toAdvanced = () => {
    if (!item.expression) return;
    const next = toExpression(rows, match, expr, answer);
    onChange(item.path, next.rules);
    onChange(item.expression.path, next.expression);
    setAdvanced(true);
  };
  const toSimple = (force: boolean) => {
    const next = toRows(force ? '' : expr, answer);
    if (!next) {
      setStuck(true);
      return;
    }
    onChange(item.path, next.rules);
    if (item.match) onChange(item.match.path, next.match);
    if (item.expression) onChange(item.expression.path, next.expression);
    setStuck(false);
    setAdvanced(false);
  };
  const extra = [item.match, item.expression].flatMap((s) => (s ? problemsOfField(problems, nodeId, s.path) : []));

  return (
    <div className="rule-rows" data-testid={idBase}>
      {advanced ? (
        <div className="rule-expression">{expressionEditor}</div>
      ) : (
        <>
          {item.match && (
            <div className="rule-match">
              <label htmlFor={`f-${item.path}`}>{item.match.label}</label>
              <select id={`f-${item.path}`} data-testid={`${idBase}-match`} value={match} onChange={(e) => onChange(item.match!.path, e.target.value)}>
                <option value="all">{t('rules.matchAll')}</option>
                <option value="any">{t('rules.matchAny')}</option>
              </select>
            </div>
          )}
          <ol className="rule-list">
            {rows.map((row, i) => {
              const bad = (col: string) => mine.some((p) => fieldMatches(p.field, `${item.path}[${i}].${col}`));
              return (
                <li key={i} className="rule-row" data-testid={`${idBase}-row-${i}`}>
                  <FieldPicker row={row} i={i} choices={choices} idBase={idBase} invalid={bad('left')}
                    onChoose={(c) => set(chooseField(rows, i, c, answer))} />
                  <select className="rule-op" aria-label={t('rules.check')} data-testid={`${idBase}-op-${i}`} value={row.op} aria-invalid={bad('op') || undefined}
                    onChange={(e) => set(chooseOp(rows, i, e.target.value))}>
                    {ops.map((op) => (
                      <option key={op} value={op}>{opLabels[op] ?? op}</option>
                    ))}
                  </select>
                  {needsValue(row.op) && (
                    <span className="rule-value with-picker">
                      <input type="text" aria-label={t('rules.value')} data-testid={`${idBase}-value-${i}`} value={row.right}
                        placeholder={t('rules.valuePlaceholder')} aria-invalid={bad('right') || undefined}
                        onChange={(e) => set(setValue(rows, i, e.target.value))} />
                      {references && (
                        <VariablePicker nodeId={nodeId} fieldLabel={t('rules.value')} testId={`${idBase}-value-${i}`}
                          onInsert={(text) => set(setValue(rows, i, insertAt(row.right, null, null, text).value))} />
                      )}
                    </span>
                  )}
                  <button type="button" className="rule-remove" title={t('rules.remove')} aria-label={t('rules.remove')}
                    onClick={() => set(rows.filter((_, j) => j !== i))}>×</button>
                </li>
              );
            })}
          </ol>
          {choices.length === 0 && <p className="help">{answer ? t('rules.noAnswerFields') : t('rules.noFields')}</p>}
          <button type="button" data-testid={`${idBase}-add`} onClick={() => set([...rows, newRule()])}>+ {t('rules.add')}</button>
        </>
      )}
      {item.expression && (
        <div className="rule-mode">
          <button type="button" className="link" data-testid={`${idBase}-advanced`} aria-pressed={advanced}
            onClick={() => (advanced ? toSimple(false) : toAdvanced())}>
            {advanced ? t('rules.simple') : t('rules.advanced')}
          </button>
          {stuck && (
            <p className="help" role="status">
              {t('rules.cannotConvert')}{' '}
              <button type="button" className="link" onClick={() => toSimple(true)}>{t('rules.clearExpression')}</button>
            </p>
          )}
        </div>
      )}
      {extra.length > 0 && (
        <ul className="field-problems" data-testid={`problems-${item.path}-more`}>
          {extra.map((p, i) => (
            <li key={i}>{messageOnNode(p)}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
