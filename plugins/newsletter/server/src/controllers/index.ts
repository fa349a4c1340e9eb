import audience from './audience';
import deliveries from './deliveries';
import media from './media';
import newsletters from './newsletters';
import sending from './sending';
import settings from './settings';
import templates from './templates';
import tracking from './tracking';

export default { audience, deliveries, media, newsletters, sending, settings, templates, tracking };
