/**
 * The baseline of the packets part: a minimal `node:http` server that carries the same HTTP traffic as one packet
 * exchange and does the least work that still moves and checks the bytes — three small JSON POSTs answered with
 * small JSON (where the platform runs requestExchange, claimPacket and acknowledgePacket), a PUT of the content
 * (read, SHA-256 checked against the `repr-digest` header, kept in a Map) and a GET of it (sent with its digest,
 * then dropped); in the batched flow the same with batch-shaped answers (spaces for many inputs, the next stored
 * ids for a claim, one answer per acknowledgement); in the inline flow the content comes base64 in the inputs
 * (decoded, SHA-256 checked against the input's, kept) and goes back base64 in the claim. No authentication, no encryption, no store, no queue, no events: what is left is the HTTP cost on
 * this machine with this client, so platform ÷ baseline shows what the platform adds.
 */
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { announceReady, closeOnSignal } from '../lib/child.ts';

const stored = new Map<string, { content: Buffer; digest: string; sha256: string; inline: boolean }>();
/** Ids handed out by a batched claim and not acknowledged yet. */
const claimed = new Set<string>();
let sequence = 0;

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const url = req.url ?? '/';
    if (req.method === 'POST' && url === '/graphql') {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        query?: string;
        variables?: { id?: string; inputs?: Array<{ content?: string; sha256?: string }>; first?: number; acks?: Array<{ id: string }> };
      };
      const variables = body.variables ?? {};
      // The batched flow's three calls, answered in their shapes: spaces for inputs, the next uploaded ids, acks.
      if (variables.inputs !== undefined) {
        const spaces = [];
        for (const input of variables.inputs) {
          const id = String(++sequence);
          if (input.content !== undefined) {
            const content = Buffer.from(input.content, 'base64');
            const sha256 = createHash('sha256').update(content).digest('hex');
            if (sha256 !== input.sha256) {
              res.writeHead(400).end('{"error":"DIGEST_MISMATCH"}');
              return;
            }
            stored.set(id, { content, digest: '', sha256, inline: true });
          }
          spaces.push({ id, uploadUrl: `/content/${id}` });
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: { result: spaces } }));
        return;
      }
      if (variables.first !== undefined) {
        // A claim for inline content takes only packets sent inline (an earlier row may have left others behind).
        const inline = / content\b/.test(body.query ?? '');
        const claims = [];
        for (const [id, entry] of stored) {
          if (claims.length >= variables.first) break;
          if (claimed.has(id) || entry.inline !== inline) continue;
          claimed.add(id);
          if (entry.inline) {
            stored.delete(id);
            claims.push({ packetId: id, sha256: entry.sha256, content: entry.content.toString('base64') });
          } else claims.push({ packetId: id, downloadUrl: `/content/${id}`, sha256: entry.sha256 });
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: { result: claims } }));
        return;
      }
      if (variables.acks !== undefined) {
        for (const a of variables.acks) claimed.delete(a.id);
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ data: { result: variables.acks.map(() => ({ status: 'DELIVERED', alreadyAcknowledged: false })) } }));
        return;
      }
      const id = variables.id ?? String(++sequence);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: { result: { id, uploadUrl: `/content/${id}`, status: 'OK' } } }));
      return;
    }
    const match = /^\/content\/([^/?]+)/.exec(url);
    if (match !== null && req.method === 'PUT') {
      const content = Buffer.concat(chunks);
      const hash = createHash('sha256').update(content);
      const sha256 = hash.copy().digest('hex');
      const digest = `sha-256=:${hash.digest('base64')}:`;
      if (req.headers['repr-digest'] !== digest) {
        res.writeHead(400).end('{"error":"DIGEST_MISMATCH"}');
        return;
      }
      stored.set(match[1]!, { content, digest, sha256, inline: false });
      res.writeHead(201, { 'content-type': 'application/json' }).end(`{"packetId":"${match[1]}","status":"QUEUED"}`);
      return;
    }
    if (match !== null && req.method === 'GET') {
      const entry = stored.get(match[1]!);
      if (entry === undefined) {
        res.writeHead(410).end();
        return;
      }
      stored.delete(match[1]!);
      res
        .writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': entry.content.length, 'repr-digest': entry.digest })
        .end(entry.content);
      return;
    }
    res.writeHead(404).end();
  });
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1');
await once(server, 'listening');
closeOnSignal(async () => {
  server.closeAllConnections();
  server.close();
});
announceReady({ origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
