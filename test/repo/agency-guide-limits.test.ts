/**
 * The limits table of the agency guide states the defaults of the settings behind it, as agency developers read
 * them (`2,000`, `1 MiB`). A default changed in a config module and not in the guide fails here, naming the row.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { configSchema as gatewaySchema } from '../../gateway/src/config.ts';
import { configSchema as relaySchema } from '../../subgraphs/relay/src/config.ts';
import { repoRoot } from '../../scripts/platform.ts';

const GUIDE = 'docs/agency-guide.md';

const count = (n: number) => n.toLocaleString('en-US');
const bytes = (n: number) => (n % 2 ** 20 === 0 ? `${n / 2 ** 20} MiB` : `${n / 2 ** 10} KiB`);

test(`the limits in ${GUIDE} are the defaults of the gateway and the relay`, async () => {
  const gateway = gatewaySchema.parse({});
  const relay = relaySchema.parse({});
  const guide = await readFile(join(repoRoot, GUIDE), 'utf8');
  const start = guide.indexOf('\n## Limits\n');
  assert.notEqual(start, -1, `${GUIDE} has a "## Limits" section`);
  const end = guide.indexOf('\n## ', start + 1);
  const rows = guide
    .slice(start, end === -1 ? undefined : end)
    .split('\n')
    .filter((line) => line.startsWith('| '));

  const expected: Array<[row: string, limit: string]> = [
    ['request body', bytes(gateway.GATEWAY_MAX_BODY_BYTES)],
    ['operation depth', [gateway.GATEWAY_MAX_DEPTH, gateway.GATEWAY_MAX_FIELDS, gateway.GATEWAY_MAX_ALIASES].map(count).join(', ')],
    ['operation text', `${count(gateway.GATEWAY_MAX_TOKENS)} lexical tokens`],
    ['token size', bytes(gateway.AUTH_MAX_TOKEN_BYTES)],
    ['packet size', `${bytes(relay.RELAY_MAX_PACKET_BYTES)}, ${count(relay.RELAY_MAX_RECIPIENTS)}`],
    ['inline content', bytes(relay.RELAY_INLINE_MAX_BYTES)],
    [
      'graphql-ws connections',
      [gateway.GATEWAY_WS_MAX_CONNECTIONS_PER_AGENCY, gateway.GATEWAY_WS_MAX_SUBSCRIPTIONS_PER_CONNECTION, gateway.GATEWAY_WS_MAX_SUBSCRIPTIONS_PER_AGENCY]
        .map(count)
        .join(', '),
    ],
  ];
  const wrong = expected.flatMap(([row, limit]) => {
    const line = rows.find((candidate) => candidate.includes(row));
    if (line === undefined) return [`no row for ${row}`];
    return line.split('|')[2]!.trim().includes(limit) ? [] : [`${row}: the guide says "${line.split('|')[2]!.trim()}", the default is ${limit}`];
  });
  assert.deepEqual(wrong, [], `${GUIDE} "Limits" disagrees with the defaults`);
});
