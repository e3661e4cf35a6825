/** An error of a GraphQL call, said in the person's language, with the API's code and message as the detail. */
import { Alert } from 'antd';
import { errorText } from './errors.ts';
import { useT } from './i18n.tsx';

export function ErrorAlert({ error }: { error: unknown }) {
  const t = useT();
  if (error === undefined || error === null) return null;
  const { title, detail, code } = errorText(error);
  return (
    <Alert type="error" showIcon role="alert" title={title !== undefined ? t(title) : detail} description={title !== undefined ? `${code}: ${detail}` : code} />
  );
}
