/**
 * The secret of a TEST credential, kept for the try-out only in this browser tab (sessionStorage: gone when the tab
 * closes) — never in localStorage, never sent anywhere but the realm's token endpoint. Production secrets are never
 * kept: they are shown once and that is all.
 */
const PREFIX = 'lgsp-portal:test-secret:';

export function rememberTestSecret(clientId: string, secret: string): void {
  sessionStorage.setItem(PREFIX + clientId, secret);
}

export function testSecret(clientId: string): string | undefined {
  return sessionStorage.getItem(PREFIX + clientId) ?? undefined;
}

export function forgetTestSecret(clientId: string): void {
  sessionStorage.removeItem(PREFIX + clientId);
}
