import { ApiError } from '../api/client';
import { useT } from '../i18n/i18n';

/** Shows an error with the server's validation details (node, field, message). */
export function ErrorBox({ error }: { error: unknown }) {
  const t = useT();
  if (!error) return null;
  const msg = error instanceof Error ? error.message : String(error);
  const details = error instanceof ApiError ? error.details : [];
  return (
    <div className="error-box" role="alert">
      <b>{t('common.error')}:</b> {msg}
      {details.length > 0 && (
        <ul>
          {details.map((d, i) => (
            <li key={i}>
              {d.node && <code data-user-data>{d.node}</code>} {d.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
