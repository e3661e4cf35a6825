/** Reading the rest of a request that was answered before its body arrived. */
import type { IncomingMessage } from 'node:http';

/** Bytes of a request answered early still read and thrown away (by default). */
export const DISCARD_LIMIT_BYTES = 16 * 1024 * 1024;

/**
 * After an early answer (a 413 to an upload) the client is usually still sending. Closing at once would make the
 * kernel reset the connection over the unread bytes, and the client (or a proxy writing the body) would see a reset
 * or EPIPE instead of the answer. So the rest is read and discarded, on the kept-alive connection, up to
 * `limitBytes`; a sender that keeps pushing past that has its connection closed (`onLimit` is told first).
 */
export function discardRestOfRequest(req: IncomingMessage, options: { limitBytes?: number; onLimit?: (discarded: number) => void } = {}): void {
  if (req.complete || req.destroyed) return;
  const limit = options.limitBytes ?? DISCARD_LIMIT_BYTES;
  let discarded = 0;
  req.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > limit && !req.socket.destroyed) {
      options.onLimit?.(discarded);
      req.socket.destroy();
    }
  });
  req.resume();
}
