const PLUGIN_ID = 'booking-desk';

export default {
  register(app: any) {
    app.registerPlugin({ id: PLUGIN_ID, name: 'Booking desk' });
  },
  bootstrap() {},
};
