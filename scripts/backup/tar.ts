/**
 * The archive container: a gzip-compressed POSIX ustar file (`.tar.gz`), which `tar -tzf` lists and `tar -xzf`
 * unpacks on any operator's machine, written and read here as streams (bounded memory, whatever the parts' sizes).
 * Only what a backup needs: regular files with relative names; the reader refuses anything else (links, devices,
 * absolute names, `..`), since an archive given to `npm run restore` is untrusted until its manifest verified.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, stat } from 'node:fs/promises';
import { dirname, join, normalize, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { Readable } from 'node:stream';

const BLOCK = 512;
/** ustar's size field: 11 octal digits. */
const MAX_ENTRY_BYTES = 8 ** 11 - 1;
const NAME_BYTES = 100;

/** A file to put in the archive: its name inside the archive and where its bytes are now. */
export interface TarSource {
  name: string;
  path: string;
}

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

function header(name: string, size: number, mtimeSeconds: number): Buffer {
  if (Buffer.byteLength(name) > NAME_BYTES) throw new Error(`archive entry name longer than ${NAME_BYTES} bytes: ${name}`);
  if (size > MAX_ENTRY_BYTES) throw new Error(`archive entry ${name} is larger than ustar allows (${MAX_ENTRY_BYTES} bytes)`);
  const block = Buffer.alloc(BLOCK, 0);
  block.write(name, 0, 'utf8');
  block.write(octal(0o600, 8), 100, 'ascii');
  block.write(octal(0, 8), 108, 'ascii');
  block.write(octal(0, 8), 116, 'ascii');
  block.write(octal(size, 12), 124, 'ascii');
  block.write(octal(mtimeSeconds, 12), 136, 'ascii');
  block.write('        ', 148, 'ascii'); // the checksum is computed with its own field as spaces
  block.write('0', 156, 'ascii');
  block.write('ustar\0', 257, 'ascii');
  block.write('00', 263, 'ascii');
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return block;
}

/** Writes `sources` (in order) into a new `.tar.gz` at `target`. */
export async function writeTarGz(target: string, sources: readonly TarSource[]): Promise<void> {
  const mtime = Math.floor(Date.now() / 1000);
  async function* blocks(): AsyncGenerator<Buffer> {
    for (const source of sources) {
      const { size } = await stat(source.path);
      yield header(source.name, size, mtime);
      let written = 0;
      for await (const chunk of createReadStream(source.path)) {
        written += (chunk as Buffer).length;
        yield chunk as Buffer;
      }
      if (written !== size) throw new Error(`${source.path} changed while it was archived`);
      if (size % BLOCK !== 0) yield Buffer.alloc(BLOCK - (size % BLOCK), 0);
    }
    yield Buffer.alloc(BLOCK * 2, 0); // end of archive: two zero blocks
  }
  await pipeline(Readable.from(blocks()), createGzip({ level: 6 }), createWriteStream(target, { mode: 0o600, flags: 'wx' }));
  const handle = await open(target, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Why an archive could not be read: the message says where (the entry, the offset, gzip's own words). */
export class TarFormatError extends Error {
  override name = 'TarFormatError';
}

function field(block: Buffer, offset: number, length: number): string {
  const raw = block.subarray(offset, offset + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end === -1 ? length : end).toString('utf8');
}

function parseOctal(block: Buffer, offset: number, length: number, what: string): number {
  const text = field(block, offset, length).trim();
  if (!/^[0-7]+$/.test(text)) throw new TarFormatError(`bad ${what} field in an archive header`);
  return parseInt(text, 8);
}

/** A name inside the archive as a safe relative path, or a TarFormatError. */
function safeName(name: string): string {
  const normal = normalize(name);
  if (name === '' || name.startsWith('/') || normal.startsWith('..') || normal.split(sep).includes('..') || name.includes('\\')) {
    throw new TarFormatError(`unsafe entry name in the archive: ${JSON.stringify(name)}`);
  }
  return normal;
}

/**
 * Unpacks the `.tar.gz` at `source` into the (empty) directory `into`; answers the names of the files written, in
 * archive order. At most `maxEntries` files and `maxBytes` in all. Throws TarFormatError for anything damaged.
 */
export async function extractTarGz(source: string, into: string, limits: { maxEntries?: number; maxBytes?: number } = {}): Promise<string[]> {
  const maxEntries = limits.maxEntries ?? 10_000;
  const maxBytes = limits.maxBytes ?? Number.MAX_SAFE_INTEGER;
  const names: string[] = [];
  let pending: Buffer = Buffer.alloc(0);
  let current: { name: string; left: number; padding: number; handle: Awaited<ReturnType<typeof open>> } | undefined;
  let skip = 0;
  let total = 0;
  let ended = false;

  const gunzip = createGunzip();
  const input = createReadStream(source).pipe(gunzip);
  const closeCurrent = async () => {
    if (current !== undefined) await current.handle.close();
    current = undefined;
  };
  try {
    for await (const chunk of input) {
      pending = pending.length === 0 ? (chunk as Buffer) : Buffer.concat([pending, chunk as Buffer]);
      for (;;) {
        if (ended) {
          pending = Buffer.alloc(0); // zero padding after the end marker
          break;
        }
        if (current !== undefined) {
          if (pending.length === 0) break;
          const take = Math.min(current.left, pending.length);
          if (take > 0) await current.handle.write(pending.subarray(0, take));
          pending = pending.subarray(take);
          current.left -= take;
          if (current.left > 0) break;
          skip = current.padding;
          await closeCurrent();
          continue;
        }
        if (skip > 0) {
          const take = Math.min(skip, pending.length);
          pending = pending.subarray(take);
          skip -= take;
          if (skip > 0) break;
          continue;
        }
        if (pending.length < BLOCK) break;
        const block = pending.subarray(0, BLOCK);
        pending = pending.subarray(BLOCK);
        if (block.every((b) => b === 0)) {
          ended = true;
          continue;
        }
        let sum = 0;
        for (let i = 0; i < BLOCK; i += 1) sum += i >= 148 && i < 156 ? 32 : block[i]!;
        if (parseOctal(block, 148, 8, 'checksum') !== sum) throw new TarFormatError(`archive header ${names.length + 1} fails its checksum`);
        const type = String.fromCharCode(block[156]!);
        const prefix = field(block, 345, 155);
        const name = safeName(prefix === '' ? field(block, 0, NAME_BYTES) : `${prefix}/${field(block, 0, NAME_BYTES)}`);
        const size = parseOctal(block, 124, 12, 'size');
        if (type === '5') continue; // a directory: made as files need it
        if (type !== '0' && type !== '\0') throw new TarFormatError(`archive entry ${name} is not a regular file (type ${JSON.stringify(type)})`);
        if (names.length >= maxEntries) throw new TarFormatError(`more than ${maxEntries} files in the archive`);
        total += size;
        if (total > maxBytes) throw new TarFormatError(`the archive unpacks to more than ${maxBytes} bytes`);
        if (names.includes(name)) throw new TarFormatError(`archive entry ${name} appears twice`);
        const path = join(into, name);
        await mkdir(dirname(path), { recursive: true });
        current = { name, left: size, padding: size % BLOCK === 0 ? 0 : BLOCK - (size % BLOCK), handle: await open(path, 'wx', 0o600) };
        names.push(name);
      }
    }
  } catch (error) {
    await closeCurrent();
    if (error instanceof TarFormatError) throw error;
    throw new TarFormatError(`not a readable .tar.gz archive (${(error as Error).message})`);
  }
  const truncated = current !== undefined || !ended;
  await closeCurrent();
  if (truncated) throw new TarFormatError('the archive is truncated (no end-of-archive marker)');
  return names;
}
