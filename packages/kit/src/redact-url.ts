/** Hides the password of every URL in a text (`redis://:pw@host` → `redis://:***@host`), for messages and logs. */
export function redactUrl(text: string): string {
  return text.replace(/\/\/([^:@/\s]*):([^@/\s]*)@/g, '//$1:***@');
}
