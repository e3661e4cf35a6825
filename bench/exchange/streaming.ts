/**
 * Memory while a large packet streams (issue 4, target: the relay's RSS grows ≤ 64 MB for a 200 MB packet): the
 * content is generated on the fly by the client (a 1 MiB random block, each 256 KiB chunk stamped with its index, so
 * no two chunks are alike and the client holds no more than a few chunks), uploaded with PUT, claimed and downloaded
 * with GET (hashed as it arrives, then dropped), while the RSS (VmRSS) of the relay and of the gateway is sampled
 * every 25 ms. The GraphQL calls go through the gateway; the content either through the gateway's `/exchange/`
 * proxy or directly to the relay.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { Agent } from 'undici';
import { sampleRss } from './measure.ts';
import type { BenchPlatform } from './platform.ts';

export const LARGE_PACKET_BYTES = 200 * 1024 * 1024;
const CHUNK_BYTES = 256 * 1024;

function* generatedContent(block: Buffer, total: number): Generator<Buffer> {
  for (let offset = 0, index = 0; offset < total; offset += CHUNK_BYTES, index += 1) {
    const size = Math.min(CHUNK_BYTES, total - offset);
    const chunk = Buffer.allocUnsafe(size);
    block.copy(chunk, 0, (index * CHUNK_BYTES) % block.length, ((index * CHUNK_BYTES) % block.length) + size);
    chunk.writeUInt32BE(index, 0);
    yield chunk;
  }
}

export interface StreamingResult {
  path: 'gateway' | 'direct';
  bytes: number;
  uploadSeconds: number;
  downloadSeconds: number;
  samples: number;
  /** RSS before the upload and the highest RSS during upload + download, per process (bytes). */
  rss: Record<string, { baseline: number; peak: number; growth: number }>;
  /** Peak growth during each phase, per process (bytes, from the RSS before the upload). */
  uploadGrowth: Record<string, number>;
  downloadGrowth: Record<string, number>;
}

export async function runStreaming(
  platform: BenchPlatform,
  options: { path: 'gateway' | 'direct'; sender: string; recipient: { client: string; agency: string }; bytes?: number },
): Promise<StreamingResult> {
  const total = options.bytes ?? LARGE_PACKET_BYTES;
  const block = randomBytes(1024 * 1024);
  const hash = createHash('sha256');
  for (const chunk of generatedContent(block, total)) hash.update(chunk);
  const sha256 = hash.digest('hex');
  const agent = new Agent({ keepAliveTimeout: 10_000, headersTimeout: 300_000, bodyTimeout: 300_000 });
  const graphql = async (clientId: string, query: string, variables: Record<string, unknown>) => {
    const { statusCode, body } = await agent.request({
      origin: platform.gatewayOrigin,
      path: '/graphql',
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await platform.accessToken(clientId)}` },
      body: JSON.stringify({ query, variables }),
    });
    const answer = (await body.json()) as { data?: any; errors?: unknown };
    if (statusCode !== 200 || answer.errors !== undefined) throw new Error(`GraphQL HTTP ${statusCode}: ${JSON.stringify(answer.errors).slice(0, 300)}`);
    return answer.data;
  };
  const where = (url: string) => {
    const parsed = new URL(url);
    return { origin: options.path === 'direct' ? platform.relayOrigin : parsed.origin, path: `${parsed.pathname}${parsed.search}` };
  };
  const processes = { relay: platform.pids.relay, gateway: platform.pids.gateway };
  try {
    const { requestExchange } = await graphql(options.sender, 'mutation($input: RequestExchangeInput!) { requestExchange(input: $input) { id uploadUrl } }', {
      input: {
        recipients: { agencyCodes: [options.recipient.agency] },
        title: 'bench: large packet',
        priority: 'NORMAL',
        dataType: 'FILE',
        protocol: 'LGSP-FILE/1',
        declaredBytes: total,
        sha256,
      },
    });
    const sampler = sampleRss(processes);
    await sampler.start();
    let t = performance.now();
    const upload = await agent.request({
      ...where(requestExchange.uploadUrl as string),
      method: 'PUT',
      headers: {
        'content-type': 'application/octet-stream',
        'content-length': String(total),
        'repr-digest': `sha-256=:${Buffer.from(sha256, 'hex').toString('base64')}:`,
      },
      body: Readable.from(generatedContent(block, total)),
    });
    const uploadAnswer = await upload.body.text();
    if (upload.statusCode !== 201) throw new Error(`upload HTTP ${upload.statusCode}: ${uploadAnswer.slice(0, 300)}`);
    const uploadSeconds = (performance.now() - t) / 1000;
    const afterUpload = await sampler.stop();
    const uploadGrowth = Object.fromEntries(Object.entries(afterUpload.processes).map(([k, v]) => [k, v.growth]));

    const downloadSampler = sampleRss(processes);
    await downloadSampler.start();
    const { claimPacket } = await graphql(options.recipient.client, 'mutation($id: ID!) { claimPacket(id: $id) { downloadUrl sha256 } }', {
      id: requestExchange.id,
    });
    t = performance.now();
    const download = await agent.request({ ...where(claimPacket.downloadUrl as string), method: 'GET' });
    if (download.statusCode !== 200) throw new Error(`download HTTP ${download.statusCode}: ${(await download.body.text()).slice(0, 300)}`);
    const received = createHash('sha256');
    let receivedBytes = 0;
    for await (const chunk of download.body) {
      received.update(chunk as Buffer);
      receivedBytes += (chunk as Buffer).length;
    }
    const downloadSeconds = (performance.now() - t) / 1000;
    const afterDownload = await downloadSampler.stop();
    const receivedSha = received.digest('hex');
    if (receivedBytes !== total || receivedSha !== sha256)
      throw new Error(`download: ${receivedBytes} bytes, digest ${receivedSha === sha256 ? 'ok' : 'MISMATCH'}`);
    await graphql(options.recipient.client, 'mutation($id: ID!, $sha: String!) { acknowledgePacket(id: $id, sha256: $sha) { status } }', {
      id: requestExchange.id,
      sha: receivedSha,
    });

    // Growth over the whole transfer, from the RSS before the upload.
    const rss: StreamingResult['rss'] = {};
    const downloadGrowth: Record<string, number> = {};
    for (const name of Object.keys(afterUpload.processes)) {
      const before = afterUpload.processes[name]!.baseline;
      const peak = Math.max(afterUpload.processes[name]!.peak, afterDownload.processes[name]?.peak ?? 0);
      rss[name] = { baseline: before, peak, growth: peak - before };
      downloadGrowth[name] = (afterDownload.processes[name]?.peak ?? before) - before;
    }
    return {
      path: options.path,
      bytes: total,
      uploadSeconds,
      downloadSeconds,
      samples: afterUpload.samples + afterDownload.samples,
      rss,
      uploadGrowth,
      downloadGrowth,
    };
  } finally {
    await agent.close();
  }
}
