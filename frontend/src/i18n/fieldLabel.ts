// A config field's path ("success.condition", "fields.0.path") said with the field labels of the
// node's kind in the user's language: "Успех → Условие", "Поля № 1 → Путь". A part the kind does
// not describe (a header's name) is kept as it is.
import { textIn, type Field, type KindInfo } from '../api/types';

export function fieldPathLabel(kind: KindInfo | undefined, path: string, lang: string): string {
  let fields: Field[] | undefined = kind?.fields;
  const out: string[] = [];
  for (const part of path.split('.')) {
    if (/^\d+$/.test(part) && out.length) {
      out[out.length - 1] += ` № ${Number(part) + 1}`;
      continue;
    }
    const f = fields?.find((x) => x.key === part);
    out.push(f ? textIn(f.label, lang) || part : part);
    fields = f?.fields;
  }
  return out.join(' → ');
}
