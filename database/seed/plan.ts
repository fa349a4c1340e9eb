/**
 * The whole demo data set as plain objects: a pure function of the anchor, so the same anchor always
 * gives the same rows. Each part draws from its own random stream (see prng.ts).
 */
import { timelineAt } from './calendar';
import { buildCatalogue } from './catalogue';
import { buildHistory } from './history';
import { buildMembers } from './members';
import { createRng } from './prng';
import { buildTickets } from './tickets';

export function buildDemoPlan(anchor: Date) {
  const timeline = timelineAt(anchor);
  const rng = createRng('coworking-demo-v1');
  const catalogue = buildCatalogue(timeline);
  const members = buildMembers(rng.fork('members'), timeline);
  const history = buildHistory(rng.fork('history'), timeline, catalogue, members);
  const tickets = buildTickets(rng.fork('tickets'), timeline, members);
  return { timeline, catalogue, members, history, tickets };
}

export type DemoPlan = ReturnType<typeof buildDemoPlan>;
