import { ShutdownDrain } from './shutdown-drain';

class Own {}
class Root {}
class Feature {}

describe('ShutdownDrain', () => {
  it('gives its own module a distance below every other, so Nest destroys it first', () => {
    const modules = [
      { metatype: Root, distance: 1 },
      { metatype: Feature, distance: 2 },
      { metatype: Own, distance: 3 },
    ];
    new ShutdownDrain(modules, Own);
    const destroyOrder = [...modules].sort((a, b) => a.distance - b.distance).map((m) => m.metatype);
    expect(destroyOrder).toEqual([Own, Root, Feature]);
  });

  it('stays below another module that lowered itself too', () => {
    const modules = [
      { metatype: Root, distance: 1 },
      { metatype: Feature, distance: -1 },
      { metatype: Own, distance: 2 },
    ];
    new ShutdownDrain(modules, Own);
    expect(modules[2].distance).toBe(-2);
  });

  it('runs every registered drain once, however often it is asked, and survives a failing one', async () => {
    const drain = new ShutdownDrain([], Own);
    const ran: string[] = [];
    drain.register(async () => ran.push('a'));
    drain.register(async () => {
      ran.push('b');
      throw new Error('b failed');
    });
    const remove = drain.register(async () => ran.push('removed'));
    remove();
    await Promise.all([drain.run(), drain.run()]);
    await drain.run();
    expect(ran.sort()).toEqual(['a', 'b']);
  });
});
