import hasAnyPermission from './has-any-permission';

/** Route policies of the plugin, referenced as `plugin::booking-desk.<name>`. */
export default {
  'has-any-permission': hasAnyPermission,
};
