import refunds from './refunds';
import webhook from './webhook';

export default { refunds, webhook };
