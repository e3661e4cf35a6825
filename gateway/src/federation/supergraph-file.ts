/**
 * The static supergraph file as an Apollo Gateway supergraph manager: read at start-up, watched, and reloaded
 * when it changes. A new file that does not parse or that Apollo Gateway refuses is logged and ignored; the
 * schema already loaded keeps serving.
 */
import type { SupergraphManager } from '@apollo/gateway';
import type { Logger } from '@lgsp/kit';
import { EventEmitter } from 'node:events';
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { loadSupergraph, type LoadedSupergraph } from './supergraph.ts';

type SupergraphSdlHookOptions = Parameters<SupergraphManager['initialize']>[0];

export type ReloadOutcome = { status: 'updated'; supergraph: LoadedSupergraph } | { status: 'unchanged' } | { status: 'rejected'; error: Error };

export interface SupergraphFileEvents {
  /** After every reload attempt, whether triggered by the watcher or by `reload()`. */
  reload: [ReloadOutcome];
}

/** Editors and `npm run compose` write a file in several steps (truncate, write, rename): wait for quiet. */
const WATCH_DEBOUNCE_MS = 150;

export class SupergraphFile extends EventEmitter<SupergraphFileEvents> implements SupergraphManager {
  private current: LoadedSupergraph | undefined;
  private update: SupergraphSdlHookOptions['update'] | undefined;
  private watcher: FSWatcher | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly path: string,
    private readonly options: { watch: boolean; logger: Logger; onLoaded?: (supergraph: LoadedSupergraph) => void },
  ) {
    super();
  }

  /** The supergraph currently served. */
  get supergraph(): LoadedSupergraph {
    if (this.current === undefined) throw new Error('supergraph not loaded yet');
    return this.current;
  }

  /** Reads the file once; used before the gateway starts so start-up errors name the file. */
  async read(): Promise<LoadedSupergraph> {
    let sdl: string;
    try {
      sdl = await readFile(this.path, 'utf8');
    } catch (error) {
      throw new Error(`SUPERGRAPH_FILE=${this.path}: cannot read (${(error as Error).message})`);
    }
    try {
      return loadSupergraph(sdl);
    } catch (error) {
      throw new Error(`SUPERGRAPH_FILE=${this.path}: ${(error as Error).message}`);
    }
  }

  async initialize({ update }: SupergraphSdlHookOptions): Promise<{ supergraphSdl: string; cleanup: () => Promise<void> }> {
    this.update = update;
    const loaded = await this.read();
    this.current = loaded;
    this.options.onLoaded?.(loaded);
    if (this.options.watch) this.startWatching();
    return { supergraphSdl: loaded.gatewaySdl, cleanup: async () => this.stopWatching() };
  }

  /** Re-reads the file now. Reloads run one at a time, in order. */
  reload(): Promise<ReloadOutcome> {
    const next = this.queue.then(() => this.reloadNow());
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async reloadNow(): Promise<ReloadOutcome> {
    let outcome: ReloadOutcome;
    try {
      const loaded = await this.read();
      if (this.current !== undefined && loaded.originalSdl === this.current.originalSdl) {
        outcome = { status: 'unchanged' };
      } else {
        if (this.update === undefined) throw new Error('gateway not initialised');
        // Throws when Apollo Gateway cannot build the new supergraph; it then keeps the previous one.
        this.update(loaded.gatewaySdl);
        this.current = loaded;
        this.options.onLoaded?.(loaded);
        outcome = { status: 'updated', supergraph: loaded };
        this.options.logger.info({ file: this.path, subgraphs: loaded.subgraphs.map((s) => s.name) }, 'supergraph reloaded');
      }
    } catch (error) {
      outcome = { status: 'rejected', error: error as Error };
      this.options.logger.error({ file: this.path, err: error }, 'new supergraph rejected; the previous one keeps serving');
    }
    this.emit('reload', outcome);
    return outcome;
  }

  private startWatching(): void {
    // Watch the directory, not the file: an atomic rename-into-place replaces the inode a file watch is tied to.
    const name = basename(this.path);
    this.watcher = watch(dirname(this.path), { persistent: false }, (_event, changed) => {
      if (changed !== null && changed !== name) return;
      clearTimeout(this.debounce);
      this.debounce = setTimeout(() => void this.reload(), WATCH_DEBOUNCE_MS);
    });
    this.watcher.on('error', (error) => this.options.logger.error({ err: error, file: this.path }, 'supergraph watch failed'));
  }

  private stopWatching(): void {
    clearTimeout(this.debounce);
    this.watcher?.close();
    this.watcher = undefined;
  }
}
