/** The RateLimit header fields (draft-ietf-httpapi-ratelimit-headers) and Retry-After, from counted quotas. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rateLimitHeaders, secondsUntil } from './headers.ts';

test('one policy within its quota: RateLimit-Policy and RateLimit, no Retry-After', () => {
  assert.deepEqual(
    rateLimitHeaders([{ service: 'national-data', quota: { requests: 100, perSeconds: 60 }, count: { allowed: true, remaining: 42, msBeforeReset: 16_200 } }]),
    {
      'ratelimit-policy': '"national-data";q=100;w=60',
      ratelimit: '"national-data";r=42;t=17',
    },
  );
});

test('two policies, one used up: a list each, Retry-After when the used-up one is whole again', () => {
  assert.deepEqual(
    rateLimitHeaders([
      { service: 'national-data', quota: { requests: 100, perSeconds: 60 }, count: { allowed: true, remaining: 3, msBeforeReset: 50_000 } },
      { service: 'catalogs', quota: { requests: 5, perSeconds: 10 }, count: { allowed: false, remaining: 0, msBeforeReset: 4_001 } },
    ]),
    {
      'ratelimit-policy': '"national-data";q=100;w=60, "catalogs";q=5;w=10',
      ratelimit: '"national-data";r=3;t=50, "catalogs";r=0;t=5',
      'retry-after': '5',
    },
  );
});

test('several used up: Retry-After waits for the last of them', () => {
  const headers = rateLimitHeaders([
    { service: 'a', quota: { requests: 1, perSeconds: 60 }, count: { allowed: false, remaining: 0, msBeforeReset: 30_000 } },
    { service: 'b', quota: { requests: 1, perSeconds: 60 }, count: { allowed: false, remaining: 0, msBeforeReset: 45_500 } },
  ]);
  assert.equal(headers['retry-after'], '46');
});

test('nothing counted: no headers', () => {
  assert.deepEqual(rateLimitHeaders([]), {});
});

test('secondsUntil rounds up and never says 0 before the window ends', () => {
  assert.deepEqual([1, 999, 1000, 1001, 0, -5].map(secondsUntil), [1, 1, 1, 2, 1, 1]);
});
