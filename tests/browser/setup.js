// Browser tests drive a real admin panel: a step can wait for a page's first load (Vite chunks, translations).
jest.setTimeout(Number(process.env.BROWSER_TEST_TIMEOUT_MS || 90000));
