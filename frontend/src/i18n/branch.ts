// A branch a step took, in words: a condition's "true" / "false" are "условие выполнено" /
// "не выполнено"; other branch names are the flow's own and shown as they are.
import { translate, type Lang } from './i18n';

export function branchText(branch: string, lang: Lang): string {
  if (branch === 'true') return translate(lang, 'words.branch.true');
  if (branch === 'false') return translate(lang, 'words.branch.false');
  return branch;
}
