/**
 * Child process: our gateway, started exactly as `gateway/src/main.ts` would start it — from the environment
 * (SUPERGRAPH_FILE, PORT, HOST, NODE_ENV=production, LOG_LEVEL=silent and whatever else the harness passes, e.g.
 * GATEWAY_EXECUTOR) through `gatewayConfigFromEnv` + `startGateway`.
 */
import { announceReady, closeOnSignal } from './lib/child.ts';
import { loadOursGateway } from './lib/ours.ts';

// Diagnostic only: tsx turns on source-mapped stack traces (every Error pays for them); BENCH_DISABLE_SOURCE_MAPS=1
// shows how much that costs our gateway. The baseline always runs without them, as stock Apollo on plain node does.
if (process.env.BENCH_DISABLE_SOURCE_MAPS === '1') process.setSourceMapsEnabled(false);

const { gatewayConfigFromEnv, startGateway } = await loadOursGateway();
const running = await startGateway(gatewayConfigFromEnv(process.env));

closeOnSignal(() => running.close());
announceReady({ url: running.url });
