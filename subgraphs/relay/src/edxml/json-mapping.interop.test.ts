/**
 * Our field names against the community JSON mapping of edXML (tungsfer512/edxml-convert): every field that
 * mapping names must exist in our parsed packet under the same name, compared case-insensitively (lists are
 * plural there: `toes`, `responsefors`, `staffinfoes`; nested XML list wrappers are flattened here, and
 * `Bussiness`, which they nest in `traceheaderlist`, is the packet's top-level `business`).
 * Interoperability: the mapping and the samples are third-party material read from LGSP_REFERENCE_DATA
 * (`npm run test:interop`).
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { parseEdxml } from './parse.ts';
import type { EdxmlPacket } from './types.ts';
import { referenceEdxmlData } from './testing.ts';

const EDXML_DATA = referenceEdxmlData();
const MAPPING = new URL('json-mapping/tungsfer512-edxml-convert/', EDXML_DATA);
const SAMPLES = new URL('samples/all4u1089-truclienthong-example/', EDXML_DATA);

/** JSON with `//` comments (the .jsonc files) → value. */
function parseJsonc(text: string): unknown {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i] ?? '';
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else out += c;
  }
  return JSON.parse(out);
}

/** Leaf paths of a JSON value; arrays stand for their elements. */
function leafPaths(value: unknown, prefix: string[] = []): string[][] {
  if (Array.isArray(value)) return value.length > 0 && typeof value[0] === 'object' ? leafPaths(value[0], prefix) : [prefix];
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => leafPaths(v, [...prefix, k]));
  return [prefix];
}

// Their path → ours: drop the XML wrappers we flatten, singularise their plurals.
const DROP = new Set(['header', 'messageheader', 'status', 'receiver', 'replacementinfo', 'references', 'reference', 'body', 'traceheader']);
const RENAME: Record<string, string> = { toes: 'to', responsefors: 'responsefor', staffinfoes: 'staffinfo' };

function resolve(packets: EdxmlPacket[], path: string[]): boolean {
  const lower = path.map((s) => s.toLowerCase());
  const segments = lower
    .filter((s, i) => {
      const next = lower[i + 1];
      const previous = lower[i - 1];
      if (s === 'traceheaderlist' && next === 'bussiness') return false; // our `business` is top-level
      if (s === 'organid' && previous === 'organidlist') return false; // our organIdList is a list of strings
      return !DROP.has(s);
    })
    .map((s) => RENAME[s] ?? s)
    .map((s) => s.replace(/bussiness/g, 'business'));
  return packets.some((packet) => {
    let current: unknown = packet;
    for (const segment of segments) {
      while (Array.isArray(current)) current = current[0];
      if (current === null || typeof current !== 'object') return false;
      const match = Object.keys(current).find((k) => k.toLowerCase() === segment);
      if (match === undefined) return false;
      current = (current as Record<string, unknown>)[match];
    }
    return true;
  });
}

async function packets(...files: string[]): Promise<EdxmlPacket[]> {
  return Promise.all(files.map(async (f) => parseEdxml(await readFile(new URL(f, SAMPLES)))));
}

describe('field names match the edxml-convert JSON mapping', () => {
  it('document: edoc.annotated.jsonc and edoc_req.json', async () => {
    const documents = await packets('edoc_update.redacted.edxml', 'edoc_replacement.redacted.edxml', 'edoc_revocation.redacted.edxml');
    const annotated = leafPaths(parseJsonc(await readFile(new URL('edoc.annotated.jsonc', MAPPING), 'utf8')));
    const request = Object.keys(JSON.parse(await readFile(new URL('edoc_req.json', MAPPING), 'utf8')) as object).map((k) => k.split('_'));
    // The XML-DSig block is reported only as present (its values are never verifiable in real packets).
    const fields = [...annotated, ...request].filter((p) => p[1] !== 'signature');
    assert.ok(fields.length > 60);
    const unmatched = fields.filter((p) => !resolve(documents, p)).map((p) => p.join('.'));
    assert.deepEqual(unmatched, []);
  });

  it('status: status.annotated.jsonc, status_req.json and status_response.json', async () => {
    const statuses = await packets('status.edxml');
    const annotated = leafPaths(parseJsonc(await readFile(new URL('status.annotated.jsonc', MAPPING), 'utf8')));
    const request = Object.keys(JSON.parse(await readFile(new URL('status_req.json', MAPPING), 'utf8')) as object).map((k) => k.split('_'));
    const response = leafPaths((JSON.parse(await readFile(new URL('status_response.json', MAPPING), 'utf8')) as { data: unknown }).data);
    const fields = [...annotated, ...request, ...response];
    assert.ok(fields.length > 40);
    const unmatched = fields.filter((p) => !resolve(statuses, p)).map((p) => p.join('.'));
    assert.deepEqual(unmatched, []);
  });
});
