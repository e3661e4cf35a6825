/** Test support: the AuthenticationError a promise rejects with (failing the test when it resolves or rejects otherwise). */
import assert from 'node:assert/strict';
import { AuthenticationError } from '../auth/authentication-error.ts';

export async function rejection(promise: Promise<unknown>): Promise<AuthenticationError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof AuthenticationError, `an AuthenticationError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a rejection');
}
