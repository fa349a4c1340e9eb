import { pinCatalogueQuery } from '../../../utils/catalogue-query';

// What a client may learn about the spaces a tariff books; internal fields stay out.
const RESOURCE_PUBLIC_FIELDS = ['name', 'slug', 'kind', 'description', 'capacity', 'openingHours', 'closedDates', 'color', 'location'];

/** Public and members see only active, public tariffs, each with its active resources. */
export default () =>
  pinCatalogueQuery({
    filters: { isActive: true, isPublic: true },
    populate: { resources: { fields: RESOURCE_PUBLIC_FIELDS, filters: { isActive: true } } },
  });
