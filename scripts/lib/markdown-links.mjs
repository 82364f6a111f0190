// Relative links of Markdown text, and a check that each one resolves. One home for link checking: the
// repository check (scripts/check-links.mjs) and the tarball check (scripts/lib/pack.mjs) both use it.
import { posix } from 'node:path';

/** Targets of `[text](target)` and `![alt](target)` links that point at a file (no URL, no bare #anchor). */
export function relativeLinks(markdown) {
  const withoutCode = markdown.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  const targets = [];
  for (const match of withoutCode.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
    const target = match[1];
    if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('#')) continue;
    targets.push(decodeURI(target.split('#')[0]));
  }
  return targets;
}

/**
 * Links of one Markdown file (at `file`, a POSIX path relative to some root) whose target is not among `exists`
 * (a predicate on POSIX paths relative to the same root). Returns `file: target` strings.
 */
export function brokenLinks(file, markdown, exists) {
  const dir = posix.dirname(file);
  return relativeLinks(markdown)
    .filter((target) => {
      const resolved = posix.normalize(posix.join(dir, target)).replace(/\/$/, '');
      return resolved.startsWith('..') || !exists(resolved);
    })
    .map((target) => `${file}: ${target}`);
}
