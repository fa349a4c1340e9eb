/**
 * The admin routes of our local plugins in the OpenAPI document (plugins/api-docs/server/src/spec/admin-routes.ts):
 * mounted paths, RBAC actions from the policies, the admin JWT scheme, tags, path parameters.
 */
import { actionsOf, addAdminRoutes, mountedAdminRoutes } from '../../plugins/api-docs/server/src/spec/admin-routes';
import type { OpenAPIDocument } from '../../plugins/api-docs/server/src/spec/post-process';

const requires = (...actions: string[]) => ({ name: 'admin::hasPermissions', config: { actions } });

const content = (): OpenAPIDocument => ({
  openapi: '3.1.0',
  info: { title: 'x', version: '1' },
  paths: { '/api/bookings': { get: { operationId: 'get/bookings', responses: { '200': { description: 'OK' } } } } },
  components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } } },
});

describe('admin routes in the OpenAPI document', () => {
  const deskRoutes = mountedAdminRoutes('booking-desk', [
    { method: 'POST', path: '/bookings/:documentId/confirm', handler: 'bookings.confirm', config: { policies: [requires('plugin::booking-desk.confirm')] } },
    { method: 'GET', path: '/calendar', handler: 'calendar.find', config: { policies: [requires('plugin::booking-desk.calendar.read')] } },
    { method: 'PUT', path: '/members/:documentId/notes/:noteId', handler: 'members.note', config: { policies: ['admin::isAuthenticatedAdmin'] } },
  ]);

  it('mounts routes under /<plugin> and reads the RBAC actions of hasPermissions policies', () => {
    expect(deskRoutes.map((route) => `${route.method} ${route.path}`)).toEqual([
      'POST /booking-desk/bookings/:documentId/confirm',
      'GET /booking-desk/calendar',
      'PUT /booking-desk/members/:documentId/notes/:noteId',
    ]);
    expect(deskRoutes[0].actions).toEqual(['plugin::booking-desk.confirm']);
    expect(deskRoutes[2].actions).toEqual([]);
    expect(actionsOf([requires('a', 'b'), requires('b'), 'global::x', { name: 'other', config: { actions: ['c'] } }])).toEqual(['a', 'b']);
    expect(mountedAdminRoutes('yookassa', [{ method: 'post', path: '/payments/:documentId/refund' }], '/pay')[0].path).toBe('/pay/payments/:documentId/refund');
  });

  it('describes each route with the admin JWT scheme, its RBAC action, its plugin tag and its path parameters', () => {
    const document = addAdminRoutes(content(), deskRoutes);
    const confirm = document.paths['/booking-desk/bookings/{documentId}/confirm'].post;

    expect(confirm.security).toEqual([{ adminAuth: [] }]);
    expect(confirm.tags).toEqual(['Admin: booking-desk']);
    expect(confirm.description).toContain('`plugin::booking-desk.confirm`');
    expect(confirm.description).toContain('POST /admin/login');
    expect(confirm.parameters).toEqual([expect.objectContaining({ name: 'documentId', in: 'path', required: true })]);
    expect(confirm.requestBody).toBeDefined();
    expect(confirm.responses?.['403'].content).toEqual({ 'application/json': { schema: { $ref: '#/components/schemas/Error' } } });
    expect(document.paths['/booking-desk/calendar'].get.requestBody).toBeUndefined();
    expect(document.paths['/booking-desk/members/{documentId}/notes/{noteId}'].put.parameters?.map((p) => p.name)).toEqual(['documentId', 'noteId']);
    expect(document.paths['/booking-desk/members/{documentId}/notes/{noteId}'].put.description).toContain('no RBAC action');
    expect(document.components?.securitySchemes?.adminAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(document.components?.securitySchemes?.bearerAuth).toBeDefined();
    expect(document.tags).toEqual([expect.objectContaining({ name: 'Admin: booking-desk' })]);
  });

  it('keeps operation ids unique and leaves existing operations alone', () => {
    const document = addAdminRoutes(content(), [
      ...mountedAdminRoutes('monitoring', [{ method: 'GET', path: '/health', handler: 'health.check' }]),
      ...mountedAdminRoutes('monitoring', [{ method: 'GET', path: '/health2', handler: 'health.check' }]),
      ...mountedAdminRoutes('x', [{ method: 'GET', path: '/bookings' }], '/api'),
    ]);
    expect(document.paths['/monitoring/health'].get.operationId).toBe('admin/monitoring/health.check');
    expect(document.paths['/monitoring/health2'].get.operationId).toBe('admin/monitoring/health.check-2');
    expect(document.paths['/api/bookings'].get.operationId).toBe('get/bookings');
  });
});
