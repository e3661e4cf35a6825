/**
 * Packets per second end to end (issue 4, target ≥ 1,000/s for 10 KB packets): many packets in flight, each going
 * through the whole exchange as two agency systems do it —
 *   requestExchange (sender) → PUT uploadUrl with Repr-Digest (relay: validate, encrypt, store, queue, publish
 *   packet-available) → claimPacket (recipient) → GET downloadUrl (digest checked) → acknowledgePacket (recipient)
 * — through the gateway (access tokens, the `/exchange/` proxy), or directly at the relay subgraph (the internal
 * token the gateway would send), or against the baseline server (same requests, minimal server). The recipient
 * claims by the id the sender got (a real recipient learns it from packetAvailable or its inbox).
 */
import { createHash } from 'node:crypto';
import { Agent } from 'undici';
import { percentile } from './measure.ts';

export const PACKET_BYTES = 10 * 1024;

export interface PacketTarget {
  name: string;
  /** Origin GraphQL goes to (`/graphql`). */
  graphqlOrigin: string;
  /** Authorization header of the sender's and of the recipient's calls (none for the baseline). */
  senderAuthorization?: string;
  recipientAuthorization?: string;
  recipientAgency: string;
  /** Origin the content is sent to and fetched from instead of the one in the URLs (direct at the relay). */
  contentOrigin?: string;
  /** The baseline server: answers are of its own shape. */
  baseline?: boolean;
}

export const STEPS = ['requestExchange', 'upload', 'claimPacket', 'download', 'acknowledgePacket'] as const;
export type Step = (typeof STEPS)[number];

export interface PacketsResult {
  target: string;
  concurrency: number;
  seconds: number;
  packets: number;
  packetsPerSecond: number;
  errors: number;
  firstError?: string;
  /** Whole packet and per step, ms. */
  latency: { total: { p50: number; p99: number } } & Record<Step, { p50: number; p99: number }>;
}

const REQUEST_EXCHANGE = 'mutation($input: RequestExchangeInput!) { requestExchange(input: $input) { id uploadUrl } }';
const CLAIM = 'mutation($id: ID!) { claimPacket(id: $id) { downloadUrl sha256 } }';
const ACKNOWLEDGE = 'mutation($id: ID!, $sha: String!) { acknowledgePacket(id: $id, sha256: $sha) { status alreadyAcknowledged } }';

export async function runPacketsLoad(target: PacketTarget, settings: { concurrency: number; warmupSeconds: number; durationSeconds: number }): Promise<PacketsResult> {
  const agent = new Agent({ connections: settings.concurrency * 2, keepAliveTimeout: 30_000, pipelining: 1 });
  let sequence = 0;

  async function graphql(authorization: string | undefined, query: string, variables: Record<string, unknown>): Promise<any> {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/graphql-response+json' };
    if (authorization !== undefined) headers.authorization = authorization;
    const { statusCode, body } = await agent.request({ origin: target.graphqlOrigin, path: '/graphql', method: 'POST', headers, body: JSON.stringify({ query, variables }) });
    const answer = (await body.json()) as { data?: any; errors?: Array<{ message: string; extensions?: { code?: string } }> };
    if (statusCode !== 200 || answer.errors !== undefined) throw new Error(`GraphQL HTTP ${statusCode}: ${JSON.stringify(answer.errors ?? answer).slice(0, 300)}`);
    return answer.data;
  }

  const contentUrl = (url: string) => {
    const parsed = new URL(url, target.graphqlOrigin);
    return { origin: target.contentOrigin ?? parsed.origin, path: `${parsed.pathname}${parsed.search}` };
  };

  async function onePacket(steps: Record<Step, number>): Promise<void> {
    const n = ++sequence;
    const content = Buffer.alloc(PACKET_BYTES, n % 251);
    content.writeUInt32BE(n, 0);
    const hash = createHash('sha256').update(content);
    const sha256 = hash.copy().digest('hex');
    const reprDigest = `sha-256=:${hash.digest('base64')}:`;

    let t = performance.now();
    const lap = (step: Step) => {
      const now = performance.now();
      steps[step] = now - t;
      t = now;
    };
    const space = target.baseline
      ? (await graphql(undefined, REQUEST_EXCHANGE, { input: { n } })).result
      : (
          await graphql(target.senderAuthorization, REQUEST_EXCHANGE, {
            input: {
              recipients: { agencyCodes: [target.recipientAgency] },
              title: `bench ${n}`,
              priority: 'NORMAL',
              dataType: 'FILE',
              protocol: 'LGSP-FILE/1',
              declaredBytes: PACKET_BYTES,
              sha256,
            },
          })
        ).requestExchange;
    const id = space.id as string;
    lap('requestExchange');

    const upload = await agent.request({
      ...contentUrl(space.uploadUrl as string),
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(PACKET_BYTES), 'repr-digest': reprDigest },
      body: content,
    });
    const uploadAnswer = await upload.body.text();
    if (upload.statusCode !== 201) throw new Error(`upload HTTP ${upload.statusCode}: ${uploadAnswer.slice(0, 300)}`);
    lap('upload');

    const claim = target.baseline ? { downloadUrl: `/content/${id}`, sha256 } : (await graphql(target.recipientAuthorization, CLAIM, { id })).claimPacket;
    lap('claimPacket');

    const download = await agent.request({ ...contentUrl(claim.downloadUrl as string), method: 'GET' });
    const received = Buffer.from(await download.body.arrayBuffer());
    if (download.statusCode !== 200) throw new Error(`download HTTP ${download.statusCode}: ${received.toString('utf8').slice(0, 300)}`);
    const receivedSha = createHash('sha256').update(received).digest('hex');
    if (receivedSha !== claim.sha256 || download.headers['repr-digest'] !== reprDigest) throw new Error('download: digest mismatch');
    lap('download');

    const ack = await graphql(target.recipientAuthorization, ACKNOWLEDGE, { id, sha: receivedSha });
    if (!target.baseline && ack.acknowledgePacket.alreadyAcknowledged !== false) throw new Error('acknowledgePacket: already acknowledged');
    lap('acknowledgePacket');
  }

  const startedAt = performance.now();
  const windowStart = startedAt + settings.warmupSeconds * 1000;
  const windowEnd = windowStart + settings.durationSeconds * 1000;
  const totals: number[] = [];
  const perStep = Object.fromEntries(STEPS.map((s) => [s, [] as number[]])) as Record<Step, number[]>;
  let errors = 0;
  let firstError: string | undefined;

  const worker = async () => {
    while (performance.now() < windowEnd) {
      const steps = {} as Record<Step, number>;
      const begun = performance.now();
      try {
        await onePacket(steps);
      } catch (error) {
        errors += 1;
        firstError ??= (error as Error).message;
        if (errors > 100 && errors > totals.length) throw new Error(`${target.name}: too many errors, first: ${firstError}`);
        continue;
      }
      const done = performance.now();
      if (done >= windowStart && done < windowEnd) {
        totals.push(done - begun);
        for (const s of STEPS) perStep[s].push(steps[s]);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: settings.concurrency }, worker));
  } finally {
    await agent.close();
  }
  const pair = (values: number[]) => ({ p50: percentile(values, 50), p99: percentile(values, 99) });
  return {
    target: target.name,
    concurrency: settings.concurrency,
    seconds: settings.durationSeconds,
    packets: totals.length,
    packetsPerSecond: totals.length / settings.durationSeconds,
    errors,
    ...(firstError !== undefined && { firstError }),
    latency: { total: pair(totals), ...(Object.fromEntries(STEPS.map((s) => [s, pair(perStep[s])])) as Record<Step, { p50: number; p99: number }>) },
  };
}
