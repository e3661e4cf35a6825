/**
 * The documentation points only at what is in the repository: every relative Markdown link (and its `#anchor`), and
 * every file path written as code in prose (`gateway/src/config.ts`, or a path into a folder beside the clone), in every Markdown file of the
 * repository resolves to a file or folder of the repository. A clone holds nothing else, so a link to a sibling
 * folder or a file that moved is a dead end for its reader. And the README stays a map: at most 200 lines, with
 * every npm script of the repository in its Commands table.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { dirname, join, normalize, relative } from 'node:path';
import { repoRoot } from '../../scripts/platform.ts';

const README_MAX_LINES = 200;

/** Paths the docs name that a run creates (gitignored), so they are in no clone. */
const GENERATED = ['.bench-out', 'dist', 'portal/dist', '.tmp'];

/** Extensions that make a code span a file reference (`gateway/src/config.ts`), not a command or a value. */
const FILE_EXTENSIONS = /\.(ts|md|json|jsonl|graphql|ya?ml|conf|template|pem|html|js|lua|sh)$/;

/** Every file the repository holds (tracked, or new and not ignored), relative to its root, and their folders. */
function repositoryPaths(): { files: string[]; paths: Set<string> } {
  const listed = spawnSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: repoRoot, encoding: 'utf8' });
  assert.equal(listed.status, 0, `git ls-files: ${listed.stderr}`);
  const files = listed.stdout.split('\0').filter(Boolean);
  const paths = new Set<string>(['']);
  for (const file of files) {
    paths.add(file);
    for (let dir = dirname(file); dir !== '.'; dir = dirname(dir)) paths.add(dir);
  }
  return { files, paths };
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens; repeats get -1, -2, … */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of withoutFences(markdown).split('\n')) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const text = heading[1]!.replace(/`/g, '').replace(/\[([^\]]*)\]\([^)]*\)/g, '$1');
    const slug = text
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\p{M} _-]/gu, '')
      .replace(/ /g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/** The text with fenced code blocks blanked (their lines kept, so that line numbers stay right). */
function withoutFences(markdown: string): string {
  let inFence = false;
  return markdown
    .split('\n')
    .map((line) => {
      if (/^\s*(```|~~~)/.test(line)) {
        inFence = !inFence;
        return '';
      }
      return inFence ? '' : line;
    })
    .join('\n');
}

interface Reference {
  line: number;
  target: string;
  kind: 'link' | 'path';
}

/** Relative link targets and path-like code spans outside fenced code. */
function referencesOf(markdown: string): Reference[] {
  const found: Reference[] = [];
  withoutFences(markdown)
    .split('\n')
    .forEach((text, index) => {
      const line = index + 1;
      for (const match of text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
        const target = match[1]!;
        if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
        found.push({ line, target, kind: 'link' });
      }
      for (const match of text.replace(/\]\([^)]*\)/g, ']').matchAll(/`([^`]+)`/g)) {
        const span = match[1]!;
        // A path: no spaces, placeholders, globs, schemes or options; with a folder, ending in a file or a slash.
        if (/[\s<>*{}$=:?#|,]/.test(span) || span.startsWith('/') || !span.includes('/')) continue;
        if (!FILE_EXTENSIONS.test(span) && !span.endsWith('/')) continue;
        if (span.startsWith('@')) continue; // a package name: @lgsp/kit/testing
        found.push({ line, target: span, kind: 'path' });
      }
    });
  return found;
}

/**
 * Where a path written as code may point: a link is relative to its file, but prose names files from the folder of
 * the package it documents (`src/config.ts` in gateway/README.md, `auth/principal.ts` under packages/kit/src) or from
 * the repository's root, so every enclosing folder and its `src/` are tried. A `../` path is only relative to its file.
 */
function pathCandidates(file: string, path: string): string[] {
  if (path.startsWith('./') || path.startsWith('../')) return [normalize(join(dirname(file), path))];
  const candidates: string[] = [];
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    candidates.push(normalize(join(dir, path)), normalize(join(dir, 'src', path)));
    if (dir === '.') return candidates;
  }
}

test('every relative link and file path in the Markdown files resolves inside the repository', async () => {
  const { files, paths } = repositoryPaths();
  const markdownFiles = files.filter((file) => file.endsWith('.md'));
  assert.ok(markdownFiles.length >= 20, `the scan finds the Markdown files (${markdownFiles.length})`);
  const anchorCache = new Map<string, Set<string>>();
  const anchorsIn = async (file: string) => {
    if (!anchorCache.has(file)) anchorCache.set(file, anchorsOf(await readFile(join(repoRoot, file), 'utf8')));
    return anchorCache.get(file)!;
  };

  const broken: string[] = [];
  for (const file of markdownFiles) {
    const markdown = await readFile(join(repoRoot, file), 'utf8');
    for (const reference of referencesOf(markdown)) {
      const where = `${file}:${reference.line}: ${reference.target}`;
      const [pathPart, anchor] = reference.target.split('#', 2) as [string, string | undefined];
      const candidates = (reference.kind === 'link' ? [normalize(join(dirname(file), pathPart))] : pathCandidates(file, pathPart)).map((candidate) =>
        candidate.replace(/\/$/, '').replace(/^\.$/, ''),
      );
      const resolved = candidates.find((candidate) => !relative('', candidate).startsWith('..') && paths.has(candidate));
      if (resolved === undefined) {
        if (GENERATED.some((generated) => candidates.some((candidate) => candidate === generated || candidate.startsWith(`${generated}/`)))) continue;
        const outside = candidates.every((candidate) => candidate.startsWith('..'));
        broken.push(`${where} (${outside ? 'outside the repository' : 'no such file or folder'})`);
        continue;
      }
      if (anchor !== undefined && reference.kind === 'link') {
        const target = pathPart === '' ? file : resolved;
        if (!target.endsWith('.md')) continue;
        if (!(await anchorsIn(target)).has(anchor)) broken.push(`${where} (no heading #${anchor} in ${target})`);
      }
    }
  }
  assert.deepEqual(broken, [], 'references that do not resolve inside the repository');
});

test(`the README is a map: at most ${README_MAX_LINES} lines`, async () => {
  const lines = (await readFile(join(repoRoot, 'README.md'), 'utf8')).trimEnd().split('\n').length;
  assert.ok(lines <= README_MAX_LINES, `README.md has ${lines} lines; move details to docs/ and link them`);
});

test("every npm script of package.json is in the README's Commands table", async () => {
  const { scripts } = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const readme = await readFile(join(repoRoot, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Commands\n');
  assert.notEqual(start, -1, 'README.md has a "## Commands" section');
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end === -1 ? undefined : end);
  const named = (script: string) => (script === 'start' || script === 'test' ? section.includes(`\`npm ${script}`) : section.includes(`\`npm run ${script}`));
  assert.deepEqual(
    Object.keys(scripts).filter((script) => !named(script)),
    [],
    "npm scripts missing from the README's Commands table",
  );
});
