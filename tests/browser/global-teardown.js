// Closes the suite's Chromium (started by global-setup.js).
module.exports = async () => {
  const server = globalThis.__BROWSER_SERVER__;
  if (server) await server.close();
};
