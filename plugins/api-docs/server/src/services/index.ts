import spec from './spec';

export default { spec };
