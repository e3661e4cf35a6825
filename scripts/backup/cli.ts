/**
 * What `npm run backup` and `npm run restore` share: the exit codes, the configuration and the Redis connection, and
 * how results and errors are written (a JSON summary on stdout for scripts, a sentence on stderr for people).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError, connectRedis, loadConfig, type RedisClient } from '@lgsp/kit';
import { backupConfigSchema, type BackupConfig } from './config.ts';
import { readBackupKey, type BackupKey } from './manifest.ts';

export const ExitCode = {
  ok: 0,
  /** The command failed; a restore changed nothing. */
  failed: 1,
  /** Bad arguments or configuration: nothing was attempted. */
  usage: 2,
} as const;

export class UsageError extends Error {
  override name = 'UsageError';
}

export interface CommandIo {
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** The parsed arguments, or a UsageError naming the problem. */
export function parseArguments<T extends ParseArgsConfig['options']>(argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: false, strict: true }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

export interface CommandContext {
  config: BackupConfig;
  key: BackupKey;
  redis: RedisClient;
}

/** Configuration, key and Redis, or a UsageError (exit 2) naming what is wrong; Redis unreachable is a failure (1). */
export async function openContext(command: string, env: NodeJS.ProcessEnv): Promise<CommandContext> {
  let config: BackupConfig;
  let key: BackupKey;
  try {
    config = loadConfig(command, backupConfigSchema, env);
    key = await readBackupKey(config.BACKUP_KEY_FILE);
  } catch (error) {
    throw new UsageError(error instanceof ConfigError ? error.message : `${command}: invalid configuration\n  - ${(error as Error).message}`);
  }
  const redis = await connectRedis(config.REDIS_URL, { name: `lgsp-${command}` });
  return { config, key, redis };
}

/** Runs a command body with the exit-code rules above. */
export async function runCommand(io: CommandIo, usage: string, body: () => Promise<unknown>): Promise<number> {
  try {
    const summary = await body();
    io.stdout.write(`${JSON.stringify(summary)}\n`);
    return ExitCode.ok;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`${error.message}\n\n${usage}\n`);
      return ExitCode.usage;
    }
    const code = (error as { code?: unknown }).code;
    const details = (error as { details?: unknown }).details;
    io.stderr.write(`${typeof code === 'string' ? `${code}: ` : ''}${(error as Error).message}\n`);
    io.stdout.write(
      `${JSON.stringify({ ok: false, code: typeof code === 'string' ? code : 'FAILED', message: (error as Error).message, ...(details ? { details } : {}) })}\n`,
    );
    return ExitCode.failed;
  }
}
