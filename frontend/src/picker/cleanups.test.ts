import { describe, expect, it } from 'vitest';
import { applyCleanUp, cleanUpByValue, CLEANUPS, expressionAt, expressions, isOn, pipesAt, splitPipes } from './cleanups';

const c = (v: string) => {
  const found = cleanUpByValue(v);
  if (!found) throw new Error(`no clean-up ${v}`);
  return found;
};

describe('applyCleanUp', () => {
  const cases: { name: string; text: string; caret: number | null; choice: string; arg?: string; want: string | null }[] = [
    { name: 'digits only is added to a bare reference', text: '{{trigger.params.phone}}', caret: null, choice: 'digits', want: '{{trigger.params.phone | digits}}' },
    { name: 'lower case after an existing pipe', text: '{{trigger.params.email | trim}}', caret: null, choice: 'lower', want: '{{trigger.params.email | trim | lower}}' },
    { name: 'picking the same clean-up twice does not repeat it', text: '{{a | digits}}', caret: null, choice: 'digits', want: '{{a | digits}}' },
    { name: 'a default value is quoted, its quotes escaped', text: '{{a}}', caret: null, choice: 'default', arg: 'Без "имени"', want: '{{a | default:"Без \\"имени\\""}}' },
    { name: 'another default replaces the first and stays last', text: '{{a | default:"x" | trim}}', caret: null, choice: 'default', arg: 'RU', want: '{{a | trim | default:"RU"}}' },
    { name: 'a clean-up added after a default goes before it', text: '{{a | default:"RU"}}', caret: null, choice: 'lower', want: '{{a | lower | default:"RU"}}' },
    { name: 'another date format replaces the first', text: '{{a | date:"unix"}}', caret: null, choice: 'date:DD.MM.YYYY', want: '{{a | date:"DD.MM.YYYY"}}' },
    { name: 'number from text replaces digits only', text: '{{trigger.params.cost | digits}}', caret: null, choice: 'number', want: '{{trigger.params.cost | number}}' },
    { name: '"as it came" removes every clean-up', text: '{{a | digits | default:"0"}}', caret: null, choice: 'none', want: '{{a}}' },
    { name: 'the expression the caret is in is changed, text around it kept', text: 'Имя: {{a}}, тел. {{b}}', caret: 8, choice: 'lower', want: 'Имя: {{a | lower}}, тел. {{b}}' },
    { name: 'without a caret inside, the last expression', text: '{{a}} и {{b}}', caret: 6, choice: 'digits', want: '{{a}} и {{b | digits}}' },
    { name: 'a "|" or "}}" inside quotes is not a separator', text: '{{a | default:"x|}}y"}}', caret: null, choice: 'digits', want: '{{a | digits | default:"x|}}y"}}' },
    { name: 'JSON in base64 writes json then base64 (GetCourse import params)', text: '{{set1.params}}', caret: null, choice: 'base64json', want: '{{set1.params | json | base64}}' },
    { name: 'JSON in base64 picked twice is written once', text: '{{a | json | base64}}', caret: null, choice: 'base64json', want: '{{a | json | base64}}' },
    { name: 'JSON in base64 goes after a default', text: '{{a | default:"x"}}', caret: null, choice: 'base64json', want: '{{a | default:"x" | json | base64}}' },
    { name: 'a clean-up added after JSON in base64 goes before the encoding', text: '{{a | json | base64}}', caret: null, choice: 'lower', want: '{{a | lower | json | base64}}' },
    { name: 'a default added after JSON in base64 goes before the encoding', text: '{{a | json | base64}}', caret: null, choice: 'default', arg: '0', want: '{{a | default:"0" | json | base64}}' },
    { name: '"as it came" removes JSON in base64 too', text: '{{a | json | base64}}', caret: null, choice: 'none', want: '{{a}}' },
    { name: 'a field without a reference has nothing to clean up', text: 'просто текст', caret: 3, choice: 'digits', want: null },
    { name: 'an unclosed expression is not one', text: '{{a', caret: null, choice: 'digits', want: null },
  ];
  for (const k of cases) {
    it(k.name, () => {
      const got = applyCleanUp(k.text, k.caret, c(k.choice), k.arg);
      expect(got?.value ?? null).toBe(k.want);
      if (got) expect(got.value.slice(0, got.caret).endsWith('}}')).toBe(true);
    });
  }
});

describe('the menu', () => {
  it('marks JSON in base64 as on only when both its pipes are there', () => {
    expect(isOn(c('base64json'), new Set(pipesAt('{{a | json | base64}}', null)))).toBe(true);
    expect(isOn(c('base64json'), new Set(pipesAt('{{a | json}}', null)))).toBe(false);
    expect(isOn(c('digits'), new Set(pipesAt('{{a | digits}}', null)))).toBe(true);
  });
  it('offers digits, lower case, number, default value, JSON in base64, five date formats and "as it came"', () => {
    expect(CLEANUPS.map((x) => x.value)).toEqual([
      'digits', 'lower', 'number', 'default', 'base64json',
      'date:DD.MM.YYYY', 'date:YYYY-MM-DD', 'date:DD.MM.YYYY HH:mm', 'date:unix', 'date:iso', 'none',
    ]);
    expect(CLEANUPS.filter((x) => x.asks).map((x) => x.id)).toEqual(['default']);
  });
  it('reads which clean-ups the expression has', () => {
    expect(pipesAt('{{a | digits | default:"0"}}', null)).toEqual(['digits', 'default']);
    expect(pipesAt('text', null)).toEqual([]);
  });
  it('finds expressions and splits pipes outside quotes', () => {
    expect(expressions('x {{a}} y {{b | c:"}}"}}').map((e) => e.inner)).toEqual(['a', 'b | c:"}}"']);
    expect(expressionAt('{{a}}{{b}}', 5)?.inner).toBe('a');
    expect(splitPipes(' a | b:"|" |c ')).toEqual(['a', 'b:"|"', 'c']);
  });
});
