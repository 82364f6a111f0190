import { createHash } from 'node:crypto';

/**
 * The dataset client's durable consumer name for a certificate CN: the MD5 hex digest of the CN with its
 * last character replaced by `0`, so one user has one durable per stream and resumes where it left off.
 */
export function durableNameForCn(cn: string): string {
  return `${createHash('md5').update(cn).digest('hex').slice(0, -1)}0`;
}
