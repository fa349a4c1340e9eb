import audience from './audience';
import deliveries from './deliveries';
import dispatcher from './dispatcher';
import email from './email';
import limiter from './limiter';
import media from './media';
import newsletters from './newsletters';
import settings from './settings';
import telegram from './telegram';
import templates from './templates';
import tracking from './tracking';

export default { audience, deliveries, dispatcher, email, limiter, media, newsletters, settings, telegram, templates, tracking };
