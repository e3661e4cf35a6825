/**
 * What an agency's system does in the 7-step exchange, through the gateway with its own access token: request a
 * space and upload (steps 1-3), find, claim, download and acknowledge (steps 5-7), and the edXML documents and
 * status packets the end-to-end tests send. Also what the tests check behind the platform's back: the content keys
 * left in Redis.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { toEdxmlStatus } from '../../subgraphs/relay/src/edxml/index.ts';
import { connectRedis } from '@lgsp/kit';
import type { PlatformFixture } from './platform-fixture.ts';

/** A development agency system (keycloak/dev-credentials/README.md), its agency and the agency's name in the catalog. */
export interface AgencySystem {
  client: string;
  agency: string;
  name: string;
}

export const OFFICE: AgencySystem = { client: 'vpubnd-h41-motcua', agency: '000.00.01.H41', name: 'Văn phòng Ủy ban nhân dân tỉnh Nghệ An' };
export const POLICE: AgencySystem = { client: 'congan-h41-dancu', agency: '000.00.02.H41', name: 'Công an tỉnh Nghệ An' };
export const FINANCE: AgencySystem = { client: 'sotaichinh-h41-dkkd', agency: '000.00.03.H41', name: 'Sở Tài chính tỉnh Nghệ An' };
export const JUSTICE: AgencySystem = { client: 'sotuphap-h41-hotich', agency: '000.00.04.H41', name: 'Sở Tư pháp tỉnh Nghệ An' };
export const WARD: AgencySystem = { client: 'ubnd-truongvinh-motcua', agency: '000.00.20.H41', name: 'Ủy ban nhân dân phường Trường Vinh' };
export const HOSPITAL: AgencySystem = { client: 'bvhndk-h41-his', agency: '000.01.05.H41', name: 'Bệnh viện Hữu nghị Đa khoa Nghệ An' };

export const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
/** RFC 9530 `Repr-Digest` value of `data`. */
export const reprDigest = (data: Buffer) => `sha-256=:${createHash('sha256').update(data).digest('base64')}:`;

export const REQUEST_EXCHANGE = `mutation($input: RequestExchangeInput!) { requestExchange(input: $input) { id uploadUrl maxBytes expiresAt } }`;
export const CLAIM = `mutation($id: ID!) { claimPacket(id: $id) { downloadUrl sha256 bytes } }`;
export const ACKNOWLEDGE = `mutation($id: ID!, $sha: String!) { acknowledgePacket(id: $id, sha256: $sha) { status alreadyAcknowledged } }`;

export interface SendOptions {
  dataType?: 'EDXML_DOCUMENT' | 'EDXML_STATUS' | 'DOSSIER' | 'JSON' | 'FILE';
  title?: string;
  priority?: 'HIGH' | 'NORMAL' | 'LOW';
  policy?: Record<string, unknown>;
  /** Expected upload status (default 201). */
  uploadStatus?: number;
}

export function exchangeClient(p: PlatformFixture) {
  /** Runs an operation as `as` and answers its data, failing on any error. */
  const gql = async (as: AgencySystem, query: string, variables?: Record<string, unknown>): Promise<Record<string, any>> => {
    const { body } = await p.query(query, variables, { as: as.client, purpose: null });
    assert.equal(body.errors, undefined, JSON.stringify(body.errors));
    return body.data as Record<string, any>;
  };

  /** Steps 1-2: asks for an exchange space. */
  const requestExchange = async (from: AgencySystem, to: AgencySystem[], content: Buffer, options: SendOptions = {}) => {
    const { requestExchange } = await gql(from, REQUEST_EXCHANGE, {
      input: {
        recipients: { agencyCodes: to.map((r) => r.agency) },
        title: options.title ?? 'Hồ sơ thử nghiệm',
        priority: options.priority ?? 'NORMAL',
        dataType: options.dataType ?? 'FILE',
        protocol: options.dataType?.startsWith('EDXML') ? 'QCVN-102:2016' : 'LGSP-FILE/1',
        declaredBytes: content.length,
        sha256: sha256(content),
        ...(options.policy === undefined ? {} : { policy: options.policy }),
      },
    });
    // The upload URL points at the gateway, the only public entry point; the content streams through to the relay.
    assert.ok(requestExchange.uploadUrl.startsWith(new URL(p.platform.urls.gateway).origin + '/exchange/'), requestExchange.uploadUrl);
    return requestExchange as { id: string; uploadUrl: string; maxBytes: number; expiresAt: string };
  };

  /** Step 3: uploads `content` with its digest; answers the HTTP status and the parsed answer. */
  const upload = async (uploadUrl: string, content: Buffer) => {
    const res = await fetch(uploadUrl, {
      method: 'PUT',
      body: new Uint8Array(content),
      headers: { 'content-type': 'application/octet-stream', 'repr-digest': reprDigest(content) },
    });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };

  /** Steps 1-3; answers the packet id. */
  const send = async (from: AgencySystem, to: AgencySystem[], content: Buffer, options: SendOptions = {}): Promise<string> => {
    const space = await requestExchange(from, to, content, options);
    const answer = await upload(space.uploadUrl, content);
    assert.equal(answer.status, options.uploadStatus ?? 201, JSON.stringify(answer.body));
    return space.id;
  };

  /** Step 6-7 (first half): claims and downloads, checking the digest; answers the content and the claimed sha256. */
  const claimAndDownload = async (as: AgencySystem, id: string): Promise<{ content: Buffer; sha256: string }> => {
    const { claimPacket } = await gql(as, CLAIM, { id });
    const download = await fetch(claimPacket.downloadUrl);
    assert.equal(download.status, 200, `download of ${id} by ${as.agency}`);
    const content = Buffer.from(await download.arrayBuffer());
    assert.equal(download.headers.get('repr-digest'), reprDigest(content), 'the digest travels with the content');
    assert.equal(sha256(content), claimPacket.sha256, 'the content is what was announced');
    assert.equal(content.length, claimPacket.bytes);
    return { content, sha256: claimPacket.sha256 as string };
  };

  /** Step 7: acknowledges; answers `{status, alreadyAcknowledged}`. */
  const acknowledge = async (as: AgencySystem, id: string, digest: string) =>
    (await gql(as, ACKNOWLEDGE, { id, sha: digest })).acknowledgePacket as { status: string; alreadyAcknowledged: boolean };

  /** Steps 5-7 for one recipient: finds the packet in its inbox, claims, downloads, acknowledges (twice, harmlessly). */
  const receive = async (as: AgencySystem, id: string): Promise<Buffer> => {
    const { inbox } = await gql(as, `{ inbox(first: 50) { edges { node { id title } } } }`);
    assert.ok(
      inbox.edges.some((e: { node: { id: string } }) => e.node.id === id),
      'the packet waits in the inbox',
    );
    const { content, sha256: digest } = await claimAndDownload(as, id);
    const first = await acknowledge(as, id, digest);
    assert.deepEqual(first, { status: 'DELIVERED', alreadyAcknowledged: false });
    const again = await acknowledge(as, id, digest);
    assert.deepEqual(again, { status: 'DELIVERED', alreadyAcknowledged: true }, 'acknowledging twice is harmless');
    return content;
  };

  /** The Redis keys holding (encrypted) content of `packetId` on this platform. */
  const contentKeys = async (packetId: string): Promise<string[]> => {
    const redis = await connectRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    try {
      const keys: string[] = [];
      for await (const batch of redis.scanIterator({ MATCH: `${p.keyPrefix}relay:content:*${packetId}*`, COUNT: 1000 })) keys.push(...batch);
      return keys;
    } finally {
      await redis.quit();
    }
  };

  return { gql, requestExchange, upload, send, claimAndDownload, acknowledge, receive, contentKeys };
}

/**
 * A PUT on a connection of its own (no keep-alive pool), for uploads that may be refused before their body is
 * read: whatever happens to that connection cannot reach the next request. `body` as an iterable goes chunked
 * (no Content-Length). Answers the status and the parsed answer, or the connection error's code.
 */
export function putOnce(url: string, body: Buffer | AsyncIterable<Buffer>): Promise<{ status: number; body: any } | { error: string }> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'PUT', agent: false, headers: Buffer.isBuffer(body) ? { 'content-length': String(body.length) } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          /* not JSON: kept as text */
        }
        resolve({ status: res.statusCode ?? 0, body: parsed });
      });
      res.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    if (Buffer.isBuffer(body)) {
      req.end(body);
      return;
    }
    void (async () => {
      try {
        for await (const chunk of body) if (!req.write(chunk)) await new Promise((r) => req.once('drain', r));
        req.end();
      } catch {
        /* the request failed: reported by its error event */
      }
    })();
  });
}

/** The project's own edXML test document (Sở Tài chính → Sở Tư pháp, CRLF, one zipped attachment). */
const DOCUMENT = new URL('../../subgraphs/relay/src/edxml/packets/document_new.edxml', import.meta.url);
export const DOCUMENT_CODE = { code: '1234/STC-QLNS', promulgationDate: '2026-03-16' };

/** A full edXML document packet, addressed from `from` to `to`. */
export async function edxmlDocument(from: AgencySystem, to: AgencySystem): Promise<Buffer> {
  return Buffer.from(
    (await readFile(DOCUMENT, 'utf8'))
      .replace('<edXML:OrganId>000.00.12.H41</edXML:OrganId>', `<edXML:OrganId>${from.agency}</edXML:OrganId>`)
      .replace('<edXML:OrganId>000.00.15.H41</edXML:OrganId>', `<edXML:OrganId>${to.agency}</edXML:OrganId>`),
  );
}

/** The edXML status packet with which `from` reports `statusCode` for the test document `documentId` of `to`. */
export function edxmlStatus(from: AgencySystem, to: AgencySystem, documentId: string, statusCode: string, description: string): Buffer {
  return Buffer.from(
    toEdxmlStatus({
      from: { organId: from.agency, organName: from.name },
      responseFor: { organId: to.agency, ...DOCUMENT_CODE, documentId },
      statusCode,
      description,
      staffInfo: { department: 'Văn thư', staff: 'Nguyễn Văn A' },
    }),
  );
}
