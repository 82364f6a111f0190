import { NoCommittedPositionError } from '../../errors';
import { Offset, unknownOffset } from '../../offset/offset';
import { KafkaDriver } from './kafka-driver.interface';

/** Offset per partition: the next record to read. */
export type PartitionPositions = Map<number, number>;

/**
 * Where `offset` points in every partition of `topic` (the next record to read):
 * - `begin`: the oldest stored record; `latest`: the high watermark (only records produced from now on);
 * - `sequence(n)`: offset n in every partition, clamped to what is stored (offsets are per partition, so on a
 *   topic with several partitions this is offset n of each of them);
 * - `time(t)`: the first record at or after t (the high watermark where there is none), from the broker's
 *   offsets-by-timestamp;
 * - `none`: the group's committed positions; `NoCommittedPositionError` when it has none (partitions the
 *   group never committed start at the oldest record).
 */
export async function resolvePositions(
  driver: KafkaDriver,
  topic: string,
  offset: Offset,
  group?: string,
): Promise<PartitionPositions> {
  if (offset.kind === 'time') {
    const found = await driver.offsetsForTime(topic, offset.time.getTime());
    return new Map(found.map((p) => [p.partition, p.offset]));
  }
  if (offset.kind === 'none') {
    const committed = group === undefined ? [] : await driver.committedOffsets(group, topic);
    if (!committed.some((c) => c.offset !== undefined)) throw new NoCommittedPositionError(topic, group);
    const ranges = await driver.partitionRanges(topic);
    const byPartition = new Map(committed.map((c) => [c.partition, c.offset]));
    return new Map(ranges.map((r) => [r.partition, byPartition.get(r.partition) ?? r.low]));
  }
  if (offset.kind !== 'begin' && offset.kind !== 'latest' && offset.kind !== 'sequence')
    return unknownOffset(offset, 'offset');
  const ranges = await driver.partitionRanges(topic);
  return new Map(
    ranges.map((r) => {
      switch (offset.kind) {
        case 'begin':
          return [r.partition, r.low];
        case 'latest':
          return [r.partition, r.high];
        case 'sequence':
          return [r.partition, Math.min(Math.max(offset.sequence, r.low), r.high)];
      }
    }),
  );
}
