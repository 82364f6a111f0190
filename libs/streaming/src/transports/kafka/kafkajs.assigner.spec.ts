import { AssignerProtocol } from 'kafkajs';
import { subscriptionRoundRobin } from './kafkajs.assigner';

describe('subscriptionRoundRobin', () => {
  it('gives each topic only to the members subscribed to it', async () => {
    const partitions: Record<string, number> = { a: 3, b: 1 };
    const cluster = {
      addMultipleTargetTopics: jest.fn(async () => undefined),
      findTopicPartitionMetadata: (topic: string) =>
        Array.from({ length: partitions[topic] }, (_, partitionId) => ({ partitionId })),
    };
    const member = (memberId: string, topics: string[]) => ({
      memberId,
      memberMetadata: AssignerProtocol.MemberMetadata.encode({
        version: 0,
        topics,
        userData: Buffer.alloc(0),
      }),
    });
    const assigner = subscriptionRoundRobin({ cluster: cluster as never, groupId: 'g', logger: {} as never });
    const result = await assigner.assign({
      members: [member('m1', ['a']), member('m2', ['b']), member('m3', ['a'])],
      topics: ['a'],
    });
    const decoded = Object.fromEntries(
      result.map((r) => [
        r.memberId,
        AssignerProtocol.MemberAssignment.decode(r.memberAssignment)?.assignment,
      ]),
    );
    expect(decoded.m2).toEqual({ b: [0] });
    expect([...(decoded.m1?.a ?? []), ...(decoded.m3?.a ?? [])].sort()).toEqual([0, 1, 2]);
    expect(decoded.m1?.b).toBeUndefined();
    expect(cluster.addMultipleTargetTopics).toHaveBeenCalledWith(['a', 'b']);
    expect(assigner.protocol({ topics: ['a'] }).name).toBe('RoundRobinAssigner');
  });
});
