/**
 * The configuration part of an archive: the files the operator names (`--config deploy/.env`, BACKUP_CONFIG_FILES),
 * so that a platform rebuilt from the archive runs with the same settings. Secrets stay out unless asked for
 * (`--include-secrets`): in an environment file (`NAME=value` lines) the value of every variable whose name ends in
 * SECRET, PASSWORD, TOKEN or KEY (as the configuration errors redact them) and any password inside a URL becomes
 * `***`; files named by `*_FILE` variables (mounted secrets) are never read. Other files (compose, JSON, YAML) are
 * copied as they are: the platform keeps secrets in files of their own, never in them.
 */
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { redactIfSecret } from '@lgsp/kit';

/** An environment file: `.env`, `*.env`, `.env.*`. */
export function isEnvironmentFile(path: string): boolean {
  const name = basename(path);
  return name === '.env' || name.endsWith('.env') || name.startsWith('.env.');
}

/** The file's text with every secret value replaced by `***` (comments and layout kept). */
export function redactEnvironment(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      const match = /^(\s*(?:export\s+)?)([A-Za-z_][A-Za-z0-9_]*)(\s*=\s*)(.*)$/.exec(line);
      if (match === null) return line;
      const [, lead, name, equals, raw] = match as unknown as [string, string, string, string, string];
      const quote = /^(["'])(.*)\1\s*$/.exec(raw);
      const value = quote === null ? raw : quote[2]!;
      if (value === '') return line;
      const shown = redactIfSecret(name, value);
      return shown === value ? line : `${lead}${name}${equals}${quote === null ? shown : `${quote[1]}${shown}${quote[1]}`}`;
    })
    .join('\n');
}

/** The names the files get inside the archive: `configuration/<n>-<base name>`, unique and safe. */
export function archivedConfigName(index: number, path: string): string {
  const safe =
    basename(path)
      .replace(/[^A-Za-z0-9._-]/g, '_')
      .slice(0, 60) || 'file';
  return `${String(index + 1).padStart(2, '0')}-${safe}`;
}

/**
 * Copies `files` into `dir` (redacted unless `includeSecrets`); answers, per file, its name in the archive and
 * where it came from.
 */
export async function collectConfiguration(files: readonly string[], dir: string, includeSecrets: boolean): Promise<Array<{ name: string; from: string }>> {
  const out: Array<{ name: string; from: string }> = [];
  for (const [index, file] of files.entries()) {
    const name = archivedConfigName(index, file);
    const target = join(dir, name);
    try {
      if (!includeSecrets && isEnvironmentFile(file)) await writeFile(target, redactEnvironment(await readFile(file, 'utf8')), { mode: 0o600, flag: 'wx' });
      else await copyFile(file, target);
    } catch (error) {
      throw new Error(`configuration file ${file}: ${(error as Error).message}`);
    }
    out.push({ name, from: file });
  }
  return out;
}
