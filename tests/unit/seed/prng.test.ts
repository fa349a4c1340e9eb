import { createRng } from '../../../database/seed/prng';

const draw = (seed: string, n = 20) => {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => rng.next());
};

describe('seed PRNG', () => {
  it('repeats the same sequence for the same seed', () => {
    // Given two generators with one seed, when both draw, then they draw the same numbers
    expect(draw('demo')).toEqual(draw('demo'));
  });

  it('draws a different sequence for another seed, and for each fork', () => {
    // Given one seed and its forks
    const rng = createRng('demo');
    const members = rng.fork('members');
    const tickets = rng.fork('tickets');

    // When each draws, then the streams differ from each other and from another seed
    expect(draw('other')).not.toEqual(draw('demo'));
    expect(members.next()).not.toBe(tickets.next());
    // And a fork depends only on its label, not on how much the parent has drawn
    rng.next();
    expect(rng.fork('members').next()).toBe(createRng('demo').fork('members').next());
  });

  it('keeps int() within its inclusive bounds and reaches both ends', () => {
    // Given a generator, when it draws many dice rolls
    const rng = createRng('dice');
    const rolls = Array.from({ length: 2000 }, () => rng.int(1, 6));

    // Then every face from 1 to 6 appears and nothing else
    expect(new Set(rolls)).toEqual(new Set([1, 2, 3, 4, 5, 6]));
  });

  it('never picks a zero-weight entry and follows the weights', () => {
    // Given weights 3 : 1 : 0
    const rng = createRng('weights');
    const picks = Array.from({ length: 4000 }, () => rng.weighted([['a', 3], ['b', 1], ['never', 0]] as const));

    // Then "never" is never picked and "a" is about three times as common as "b"
    expect(picks).not.toContain('never');
    const ratio = picks.filter((p) => p === 'a').length / picks.filter((p) => p === 'b').length;
    expect(ratio).toBeGreaterThan(2.5);
    expect(ratio).toBeLessThan(3.5);
  });
});
