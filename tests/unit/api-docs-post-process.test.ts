import {
  postProcess,
  type OpenAPIDocument,
  type PostProcessOptions,
} from '../../plugins/api-docs/server/src/spec/post-process';

// The shapes @strapi/openapi 5.54 emits: paths without the REST prefix, documentIds as UUIDs, bare error answers.
const generated = (): OpenAPIDocument => ({
  openapi: '3.1.0',
  info: { title: 'coworking-platform', version: '0.1.0' },
  paths: {
    '/bookings/{id}': {
      get: {
        parameters: [
          {
            name: 'id',
            in: 'path',
            required: true,
            schema: { type: 'string', format: 'uuid', description: 'The document ID, represented by a UUID' },
          },
        ],
        responses: {
          '200': {
            description: 'OK',
            content: {
              'application/json': {
                schema: { type: 'object', properties: { documentId: { type: 'string', format: 'uuid' } } },
              },
            },
          },
          '404': { description: 'Not found' },
        },
      },
    },
    // A custom route without a zod `request.params`: the generator leaves its placeholders undocumented.
    '/bookings/{documentId}/cancel': { post: { parameters: [], responses: { '200': { description: 'OK' } } } },
    '/monitoring/health': { get: { parameters: [], responses: { '200': { description: 'OK' } } } },
    '/api/already-prefixed': { get: { responses: { '200': { description: 'OK' } } } },
  },
  components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
  security: [{ bearerAuth: [] }],
});

const options: PostProcessOptions = {
  info: { title: 'Coworking platform API', version: '1.0.0' },
  serverUrl: '',
  apiPrefix: '/api',
  publicOperations: new Set(['GET /api/monitoring/health']),
};

describe('postProcess (corrections to the generated OpenAPI document)', () => {
  it('puts the paths under the REST prefix once', () => {
    expect(Object.keys(postProcess(generated(), options).paths).sort()).toEqual([
      '/api/already-prefixed',
      '/api/bookings/{documentId}/cancel',
      '/api/bookings/{id}',
      '/api/monitoring/health',
    ]);
  });

  it('describes documentIds as plain strings wherever the generator wrote a UUID', () => {
    const document = postProcess(generated(), options);
    const get = document.paths['/api/bookings/{id}'].get;

    expect(get.parameters?.[0]).toMatchObject({ name: 'id', required: true, schema: { type: 'string' } });
    expect(JSON.stringify(document)).not.toContain('uuid');
  });

  it("documents a custom route's path parameters that the route did not declare", () => {
    const cancel = postProcess(generated(), options).paths['/api/bookings/{documentId}/cancel'].post;

    expect(cancel.parameters).toEqual([
      expect.objectContaining({
        name: 'documentId',
        in: 'path',
        required: true,
        schema: expect.objectContaining({ type: 'string' }),
      }),
    ]);
  });

  it('marks routes declared with auth: false as needing no token, and only those', () => {
    const { paths } = postProcess(generated(), options);

    expect(paths['/api/monitoring/health'].get.security).toEqual([]);
    expect(paths['/api/bookings/{id}'].get.security).toBeUndefined();
  });

  it('gives error answers the error envelope and keeps documented bodies', () => {
    const document = postProcess(generated(), options);
    const { responses } = document.paths['/api/bookings/{id}'].get;

    expect(responses?.['404'].content).toEqual({
      'application/json': { schema: { $ref: '#/components/schemas/Error' } },
    });
    expect(responses?.['200'].content).toBeDefined();
    expect(document.components?.schemas?.Error).toMatchObject({ required: ['data', 'error'] });
  });

  it('takes title and version from the app, and the server from server.url', () => {
    expect(postProcess(generated(), options)).toMatchObject({ info: options.info, servers: [{ url: '/' }] });
    expect(postProcess(generated(), { ...options, serverUrl: 'https://api.example.com' }).servers).toEqual([
      expect.objectContaining({ url: 'https://api.example.com' }),
    ]);
  });
});
