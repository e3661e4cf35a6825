import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CircuitBreaker, CircuitOpenError, type CircuitState } from './circuit-breaker.ts';

function harness(options: { failureThreshold?: number; resetTimeoutMs?: number; isFailure?: (e: unknown) => boolean } = {}) {
  let clock = 1_000;
  const transitions: CircuitState[] = [];
  const breaker = new CircuitBreaker({
    name: 'test',
    failureThreshold: options.failureThreshold ?? 3,
    resetTimeoutMs: options.resetTimeoutMs ?? 10_000,
    now: () => clock,
    onStateChange: (s) => transitions.push(s),
    ...(options.isFailure ? { isFailure: options.isFailure } : {}),
  });
  let calls = 0;
  const ok = () => breaker.run(async () => ++calls);
  const fail = () =>
    breaker.run(async () => {
      calls++;
      throw new Error('down');
    });
  return { breaker, transitions, ok, fail, advance: (ms: number) => (clock += ms), calls: () => calls };
}

test('opens after the threshold of consecutive failures and then refuses without calling', async () => {
  const h = harness();
  for (let i = 0; i < 3; i++) await assert.rejects(h.fail(), /down/);
  assert.equal(h.breaker.state, 'open');
  const before = h.calls();
  await assert.rejects(h.ok(), CircuitOpenError);
  assert.equal(h.calls(), before, 'an open circuit does not call the upstream');
});

test('a success resets the consecutive-failure count', async () => {
  const h = harness();
  await assert.rejects(h.fail());
  await assert.rejects(h.fail());
  await h.ok();
  await assert.rejects(h.fail());
  await assert.rejects(h.fail());
  assert.equal(h.breaker.state, 'closed');
});

test('half-open after the reset timeout: one trial call; success closes', async () => {
  const h = harness();
  for (let i = 0; i < 3; i++) await assert.rejects(h.fail());
  h.advance(9_999);
  assert.equal(h.breaker.state, 'open');
  h.advance(1);
  assert.equal(h.breaker.state, 'half-open');
  assert.equal(await h.ok(), 4);
  assert.equal(h.breaker.state, 'closed');
  assert.deepEqual(h.transitions, ['open', 'half-open', 'closed']);
});

test('half-open trial failure opens the circuit again for a full timeout', async () => {
  const h = harness();
  for (let i = 0; i < 3; i++) await assert.rejects(h.fail());
  h.advance(10_000);
  await assert.rejects(h.fail(), /down/);
  assert.equal(h.breaker.state, 'open');
  h.advance(5_000);
  await assert.rejects(h.ok(), CircuitOpenError);
  h.advance(5_000);
  await h.ok();
  assert.equal(h.breaker.state, 'closed');
});

test('only one trial call passes while half-open', async () => {
  const h = harness({ failureThreshold: 1 });
  await assert.rejects(h.fail());
  h.advance(10_000);
  let release!: () => void;
  const trial = h.breaker.run(() => new Promise<void>((resolve) => (release = resolve)));
  await assert.rejects(h.ok(), CircuitOpenError);
  release();
  await trial;
  assert.equal(h.breaker.state, 'closed');
});

test('errors that are not failures of the upstream do not count', async () => {
  const h = harness({ failureThreshold: 1, isFailure: (e) => (e as Error).message !== 'caller mistake' });
  await assert.rejects(
    h.breaker.run(async () => {
      throw new Error('caller mistake');
    }),
  );
  assert.equal(h.breaker.state, 'closed');
  await assert.rejects(h.fail());
  assert.equal(h.breaker.state, 'open');
});
