import { languages } from './languages';

/** A language menu's options: every language the editor speaks, by its name in itself. */
export function LanguageOptions() {
  return (
    <>
      {languages.map((l) => (
        <option key={l.code} value={l.code}>{l.name}</option>
      ))}
    </>
  );
}
