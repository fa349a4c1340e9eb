import { pinCatalogueQuery } from '../../../utils/catalogue-query';

/** Public and members see only active resources, without relations (a resource's tariffs may be hidden ones). */
export default () => pinCatalogueQuery({ filters: { isActive: true } });
