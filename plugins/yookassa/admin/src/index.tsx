const PLUGIN_ID = 'yookassa';

export default {
  register(app: any) {
    app.registerPlugin({ id: PLUGIN_ID, name: 'YooKassa' });
  },
  bootstrap() {},
};
