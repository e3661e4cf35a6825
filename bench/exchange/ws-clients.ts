/**
 * Many cheap graphql-transport-ws clients on raw `ws` sockets (no graphql-ws client per connection): open with the
 * subprotocol, `connection_init` with an access token, wait for `connection_ack`, answer the server's keep-alive
 * `ping`s with `pong`, optionally `subscribe`. Used by the connections and events parts.
 */
import WebSocket from 'ws';

export interface BenchSocket {
  socket: WebSocket;
  /** Sends one `subscribe`; `onNext` gets each `next` payload. */
  subscribe(id: string, query: string, onNext: (payload: { data?: unknown; errors?: unknown }) => void, onError: (errors: unknown) => void): void;
}

/** Opens one acknowledged connection (rejects on close, error or `timeoutMs` without `connection_ack`). */
export function openBenchSocket(url: string, authorization: string, timeoutMs = 30_000): Promise<BenchSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, 'graphql-transport-ws', { perMessageDeflate: false });
    const handlers = new Map<string, { next: (payload: { data?: unknown; errors?: unknown }) => void; error: (errors: unknown) => void }>();
    let acknowledged = false;
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new Error(`no connection_ack within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization } })));
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as { type: string; id?: string; payload?: any };
      switch (message.type) {
        case 'connection_ack':
          acknowledged = true;
          clearTimeout(timer);
          resolve({
            socket,
            subscribe(id, query, onNext, onError) {
              handlers.set(id, { next: onNext, error: onError });
              socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query } }));
            },
          });
          break;
        case 'ping':
          socket.send('{"type":"pong"}');
          break;
        case 'next':
          handlers.get(message.id ?? '')?.next(message.payload);
          break;
        case 'error':
          handlers.get(message.id ?? '')?.error(message.payload);
          break;
        default:
          break;
      }
    });
    socket.on('error', (error) => {
      if (!acknowledged) {
        clearTimeout(timer);
        reject(error);
      }
    });
    socket.on('close', (code, reason) => {
      if (!acknowledged) {
        clearTimeout(timer);
        reject(new Error(`closed ${code} ${String(reason)}`));
      }
    });
  });
}

/** Opens `count` connections, `parallel` at a time; `authorizationFor(i)` picks each one's token. */
export async function openMany(
  url: string,
  count: number,
  authorizationFor: (index: number) => string,
  parallel = 200,
): Promise<{ sockets: BenchSocket[]; failures: number; firstFailure?: string }> {
  const sockets: BenchSocket[] = [];
  let next = 0;
  let failures = 0;
  let firstFailure: string | undefined;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      try {
        sockets.push(await openBenchSocket(url, authorizationFor(index)));
      } catch (error) {
        failures += 1;
        firstFailure ??= (error as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, count) }, worker));
  return { sockets, failures, ...(firstFailure !== undefined && { firstFailure }) };
}

/** Closes every socket at once (no close handshake: the bench ends). */
export function closeAll(sockets: BenchSocket[]): void {
  for (const { socket } of sockets) socket.terminate();
}

/** One sample (sum over its series) of a Prometheus metric from a /metrics text. */
export function metricValue(text: string, name: string): number | undefined {
  let sum: number | undefined;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)$/.exec(line);
    if (match === null || match[1] !== name) continue;
    sum = (sum ?? 0) + Number(match[3]);
  }
  return sum;
}
