import { NoCommittedPositionError } from '../../errors';
import { Offset, unknownOffset } from '../../offset/offset';
import { MemoryLog } from './memory-log';

/** The sequence an offset points at in `log`. `none` is resolved by the caller (it needs the group). */
export function startSequence(log: MemoryLog, offset: Offset, group?: string): number {
  switch (offset.kind) {
    case 'begin':
      return log.firstSequence;
    case 'latest':
      return log.nextSequence;
    case 'sequence':
      return Math.max(offset.sequence, log.firstSequence);
    case 'time':
      return log.sequenceAt(offset.time);
    case 'none':
      throw new NoCommittedPositionError(log.dataset, group);
    default:
      return unknownOffset(offset, 'offset');
  }
}
