/**
 * A bearer secret shared by two internal services for calls that do not go through the gateway (events posted to
 * the subscriptions service, presence reported to the relay): both sides hold EVENTS_PUBLISH_TOKEN. Compared in
 * constant time over fixed-length digests, so neither the secret's content nor its length leaks through timing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { ErrorCode, errorBody } from '../errors.ts';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** A check of an `Authorization` header against `Bearer <token>`. */
export function sharedSecretCheck(token: string): (authorization: string | undefined) => boolean {
  const expected = digest(`Bearer ${token}`);
  return (authorization) => authorization !== undefined && timingSafeEqual(digest(authorization), expected);
}

/** Express middleware: 401 (`UNAUTHENTICATED`, `WWW-Authenticate: Bearer`) before the body is read, unless the secret matches. */
export function requireSharedSecret(token: string, variable = 'EVENTS_PUBLISH_TOKEN'): RequestHandler {
  const authorized = sharedSecretCheck(token);
  return (req, res, next) => {
    if (authorized(req.headers.authorization)) {
      next();
      return;
    }
    res
      .status(401)
      .setHeader('www-authenticate', 'Bearer realm="lgsp-internal"')
      .json(errorBody(ErrorCode.UNAUTHENTICATED, `a valid ${variable} is required`));
  };
}

/** A POST answered with another status than expected: its message names the URL, the status and the first error. */
export class SharedSecretPostError extends Error {
  constructor(
    message: string,
    /** The HTTP status of the answer. */
    readonly status: number,
    /** The parsed JSON answer (an empty object when there was none). */
    readonly answer: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'SharedSecretPostError';
  }
}

/**
 * The client side: POSTs `body` as JSON with `Authorization: Bearer <token>` and answers the parsed JSON answer (an
 * empty object for an empty one). Any status but `expectStatus` throws a SharedSecretPostError whose message names
 * the URL, the status and the first error of the platform's error shape.
 */
export async function postWithSharedSecret(
  url: string,
  token: string,
  body: unknown,
  options: { expectStatus: number; timeoutMs?: number },
): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(options.timeoutMs ?? 5_000),
  });
  const answer = (await response.json().catch(() => ({}))) as Record<string, unknown> & { errors?: Array<{ message?: string }> };
  if (response.status !== options.expectStatus) {
    const reason = answer.errors?.[0]?.message;
    throw new SharedSecretPostError(`POST ${url} failed: HTTP ${response.status}${reason ? ` (${reason})` : ''}`, response.status, answer);
  }
  return answer;
}
