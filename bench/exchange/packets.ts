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

/** A bench packet: PACKET_BYTES stamped with its number, with its SHA-256 (hex) and its `Repr-Digest` field. */
function benchPacket(n: number): { n: number; content: Buffer; sha256: string; reprDigest: string } {
  const content = Buffer.alloc(PACKET_BYTES, n % 251);
  content.writeUInt32BE(n, 0);
  const hash = createHash('sha256').update(content);
  return { n, content, sha256: hash.copy().digest('hex'), reprDigest: `sha-256=:${hash.digest('base64')}:` };
}

/** The exchange request of a bench packet: a FILE to the target's recipient (with its content, inline). */
function exchangeInput(target: PacketTarget, packet: { n: number; sha256: string; content: Buffer }, inline = false) {
  return {
    ...(inline && { content: packet.content.toString('base64') }),
    recipients: { agencyCodes: [target.recipientAgency] },
    title: `bench ${packet.n}`,
    priority: 'NORMAL',
    dataType: 'FILE',
    protocol: 'LGSP-FILE/1',
    declaredBytes: PACKET_BYTES,
    sha256: packet.sha256,
  };
}

/** GraphQL to the target (its data, or an error for any GraphQL error) and where content URLs are fetched. */
function packetClient(target: PacketTarget, agent: Agent) {
  async function graphql(authorization: string | undefined, query: string, variables: Record<string, unknown>): Promise<any> {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/graphql-response+json' };
    if (authorization !== undefined) headers.authorization = authorization;
    const { statusCode, body } = await agent.request({
      origin: target.graphqlOrigin,
      path: '/graphql',
      method: 'POST',
      headers,
      body: JSON.stringify({ query, variables }),
    });
    const answer = (await body.json()) as { data?: any; errors?: Array<{ message: string; extensions?: { code?: string } }> };
    if (statusCode !== 200 || answer.errors !== undefined)
      throw new Error(`GraphQL HTTP ${statusCode}: ${JSON.stringify(answer.errors ?? answer).slice(0, 300)}`);
    return answer.data;
  }
  const contentUrl = (url: string) => {
    const parsed = new URL(url, target.graphqlOrigin);
    return { origin: target.contentOrigin ?? parsed.origin, path: `${parsed.pathname}${parsed.search}` };
  };
  return { graphql, contentUrl };
}

export async function runPacketsLoad(
  target: PacketTarget,
  settings: { concurrency: number; warmupSeconds: number; durationSeconds: number },
): Promise<PacketsResult> {
  const agent = new Agent({ connections: settings.concurrency * 2, keepAliveTimeout: 30_000, pipelining: 1 });
  let sequence = 0;

  const { graphql, contentUrl } = packetClient(target, agent);

  async function onePacket(steps: Record<Step, number>): Promise<void> {
    const n = ++sequence;
    const { content, sha256, reprDigest } = benchPacket(n);

    let t = performance.now();
    const lap = (step: Step) => {
      const now = performance.now();
      steps[step] = now - t;
      t = now;
    };
    const space = target.baseline
      ? (await graphql(undefined, REQUEST_EXCHANGE, { input: { n } })).result
      : (await graphql(target.senderAuthorization, REQUEST_EXCHANGE, { input: exchangeInput(target, { n, sha256, content }) })).requestExchange;
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

const REQUEST_EXCHANGES = 'mutation($inputs: [RequestExchangeInput!]!) { requestExchanges(inputs: $inputs) { id uploadUrl } }';
const CLAIM_NEXT = 'mutation($first: Int!) { claimPackets(first: $first) { packetId downloadUrl sha256 } }';
/** How long a recipient told of fewer packets than a batch waits for more before claiming what waits. */
const NOTIFY_WAIT_MS = 20;
const CLAIM_NEXT_INLINE = 'mutation($first: Int!) { claimPackets(first: $first) { packetId sha256 content } }';
const ACKNOWLEDGE_MANY = 'mutation($acks: [PacketAcknowledgementInput!]!) { acknowledgePackets(acknowledgements: $acks) { status alreadyAcknowledged } }';

/** The batched flow's steps: per batch of packets (the calls) and per packet (the content requests). */
export const BATCH_STEPS = ['requestExchanges', 'upload', 'claimPackets', 'download', 'acknowledgePackets'] as const;

/**
 * The same packets, the way a system that exchanges many sends and drains them: senders ask for `batch` spaces in
 * one `requestExchanges` and upload them in parallel; recipients take the next `batch` waiting packets with
 * `claimPackets` (no ids passed between them: the relay's ready list), download them in parallel, checking each
 * digest, and acknowledge them in one `acknowledgePackets`. A packet counts when its acknowledgement is answered;
 * its latency runs from its requestExchanges to that answer. `concurrency` packets in flight on each side.
 * `inline`: the content goes with the request (`RequestExchangeInput.content`) and comes with the claim
 * (`PacketClaim.content`), base64 — no PUT, no GET: three calls per batch.
 */
export async function runBatchedPacketsLoad(
  target: PacketTarget,
  settings: { concurrency: number; batch: number; inline?: boolean; warmupSeconds: number; durationSeconds: number },
): Promise<PacketsResult & { batch: number; inline: boolean }> {
  const inline = settings.inline === true;
  const batch = Math.max(1, Math.min(100, settings.batch));
  const workersPerSide = Math.max(1, Math.ceil(settings.concurrency / batch));
  const agent = new Agent({ connections: workersPerSide * batch * 2 + 8, keepAliveTimeout: 30_000, pipelining: 1 });
  let sequence = 0;
  const startedAt = performance.now();
  const windowStart = startedAt + settings.warmupSeconds * 1000;
  const windowEnd = windowStart + settings.durationSeconds * 1000;
  // When each packet was requested, by its SHA-256 (unique: the content holds the packet's number), set before the
  // request goes out: the recipient may claim and acknowledge a packet before its sender has read the answer.
  const requestedAt = new Map<string, number>();
  const totals: number[] = [];
  const perStep = Object.fromEntries(BATCH_STEPS.map((s) => [s, [] as number[]])) as Record<(typeof BATCH_STEPS)[number], number[]>;
  let errors = 0;
  let firstError: string | undefined;
  const failed = (error: unknown) => {
    errors += 1;
    firstError ??= (error as Error).message;
    if (errors > 100 && errors > totals.length) throw new Error(`${target.name}: too many errors, first: ${firstError}`);
  };
  const timed = async <T>(step: (typeof BATCH_STEPS)[number], work: () => Promise<T>): Promise<T> => {
    const begun = performance.now();
    const value = await work();
    if (begun >= windowStart && begun < windowEnd) perStep[step].push(performance.now() - begun);
    return value;
  };

  const { graphql, contentUrl } = packetClient(target, agent);

  // Recipients claim when told that packets wait, as a system following `packetAvailable` does (the events piece
  // measures that notification; here the senders tell them in-process): a full batch, or what waits after
  // NOTIFY_WAIT_MS. Polling an empty inbox instead would cost the platform a call per poll.
  let waitingPackets = 0;
  const recipientsWaiting: Array<() => void> = [];
  const packetsArrived = (count: number) => {
    waitingPackets += count;
    while (recipientsWaiting.length > 0 && waitingPackets >= batch) recipientsWaiting.shift()!();
  };
  /** Resolves when a batch waits, or when some do and NOTIFY_WAIT_MS passed since they began to (or the window ended). */
  const untilPacketsWait = async (): Promise<void> => {
    let deadline = performance.now() + NOTIFY_WAIT_MS;
    for (;;) {
      const now = performance.now();
      if (waitingPackets >= batch || now >= windowEnd) return;
      if (waitingPackets === 0 && now >= deadline) deadline = now + NOTIFY_WAIT_MS;
      if (waitingPackets > 0 && now >= deadline) return;
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          const index = recipientsWaiting.indexOf(wake);
          if (index >= 0) recipientsWaiting.splice(index, 1);
          resolve();
        };
        const timer = setTimeout(wake, Math.max(1, deadline - now));
        recipientsWaiting.push(wake);
      });
    }
  };

  async function sendBatch(): Promise<void> {
    const packets = Array.from({ length: batch }, () => benchPacket(++sequence));
    const begun = performance.now();
    for (const packet of packets) requestedAt.set(packet.sha256, begun);
    const inputs = packets.map((p) => exchangeInput(target, p, inline));
    let data;
    try {
      data = await timed('requestExchanges', () => graphql(target.senderAuthorization, REQUEST_EXCHANGES, { inputs }));
    } catch (error) {
      for (const packet of packets) requestedAt.delete(packet.sha256);
      throw error;
    }
    const spaces = (target.baseline ? data.result : data.requestExchanges) as Array<{ id: string; uploadUrl: string }>;
    if (inline) {
      packetsArrived(spaces.length);
      return;
    }
    await Promise.all(
      spaces.map(async (space, i) => {
        const packet = packets[i]!;
        try {
          await timed('upload', async () => {
            const upload = await agent.request({
              ...contentUrl(space.uploadUrl),
              method: 'PUT',
              headers: { 'content-type': 'application/octet-stream', 'content-length': String(PACKET_BYTES), 'repr-digest': packet.reprDigest },
              body: packet.content,
            });
            const text = await upload.body.text();
            if (upload.statusCode !== 201) throw new Error(`upload HTTP ${upload.statusCode}: ${text.slice(0, 300)}`);
          });
          packetsArrived(1);
        } catch (error) {
          requestedAt.delete(packet.sha256);
          failed(error);
        }
      }),
    );
  }

  async function drainBatch(): Promise<void> {
    await untilPacketsWait();
    if (waitingPackets === 0) return;
    const data = await timed('claimPackets', () => graphql(target.recipientAuthorization, inline ? CLAIM_NEXT_INLINE : CLAIM_NEXT, { first: batch }));
    const claims = (target.baseline ? data.result : data.claimPackets) as Array<{
      packetId: string;
      downloadUrl: string;
      sha256: string;
      content?: string | null;
    }>;
    waitingPackets = Math.max(0, waitingPackets - claims.length);
    if (claims.length === 0) return;
    const received = await Promise.all(
      claims.map(async (claim) => {
        try {
          // The content came with the claim (inline), or is downloaded from its URL.
          const body = inline
            ? Buffer.from(claim.content ?? '', 'base64')
            : await timed('download', async () => {
                const download = await agent.request({ ...contentUrl(claim.downloadUrl), method: 'GET' });
                const bytes = Buffer.from(await download.body.arrayBuffer());
                if (download.statusCode !== 200) throw new Error(`download HTTP ${download.statusCode}: ${bytes.toString('utf8').slice(0, 300)}`);
                return bytes;
              });
          const sha256 = createHash('sha256').update(body).digest('hex');
          if (sha256 !== claim.sha256) throw new Error(`${inline ? 'claimPackets (inline content)' : 'download'}: digest mismatch`);
          return { id: claim.packetId, sha256 };
        } catch (error) {
          failed(error);
          return null;
        }
      }),
    );
    const acks = received.filter((r): r is { id: string; sha256: string } => r !== null);
    if (acks.length === 0) return;
    const answer = await timed('acknowledgePackets', () => graphql(target.recipientAuthorization, ACKNOWLEDGE_MANY, { acks }));
    const done = performance.now();
    const items = (target.baseline ? answer.result : answer.acknowledgePackets) as Array<{ alreadyAcknowledged: boolean }>;
    if (items.some((a) => a.alreadyAcknowledged !== false)) throw new Error('acknowledgePackets: already acknowledged');
    for (const a of acks) {
      const begun = requestedAt.get(a.sha256);
      requestedAt.delete(a.sha256);
      if (begun !== undefined && done >= windowStart && done < windowEnd) totals.push(done - begun);
    }
  }

  /** A sender or a recipient: its step again and again until the window ends, counting failures. */
  const worker = (step: () => Promise<unknown>) => async () => {
    while (performance.now() < windowEnd) {
      try {
        await step();
      } catch (error) {
        failed(error);
      }
    }
  };
  try {
    await Promise.all([...Array.from({ length: workersPerSide }, worker(sendBatch)), ...Array.from({ length: workersPerSide }, worker(drainBatch))]);
  } finally {
    await agent.close();
  }
  const pair = (values: number[]) => ({ p50: percentile(values, 50), p99: percentile(values, 99) });
  return {
    target: target.name,
    concurrency: workersPerSide * batch,
    batch,
    inline,
    seconds: settings.durationSeconds,
    packets: totals.length,
    packetsPerSecond: totals.length / settings.durationSeconds,
    errors,
    ...(firstError !== undefined && { firstError }),
    // The step names of the single flow carry the batched flow's figures (per call for the three calls).
    latency: {
      total: pair(totals),
      requestExchange: pair(perStep.requestExchanges),
      upload: pair(perStep.upload),
      claimPacket: pair(perStep.claimPackets),
      download: pair(perStep.download),
      acknowledgePacket: pair(perStep.acknowledgePackets),
    },
  };
}
