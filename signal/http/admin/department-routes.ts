/**
 * Departments (SPEC.md SP-A5): list (retired ones too), create, rename, order, retire.
 * Retiring moves the department's queued and active chats to another department:
 * none is lost. After every change the switchboard gets the new list, so the next
 * visitor's widget lists exactly the departments in force, in the admin's order.
 */
import { randomBytes } from 'node:crypto';
import {
  CreateDepartmentBody,
  OrderDepartmentsBody,
  RenameDepartmentBody,
  RetireDepartmentBody,
  type AdminDepartment,
} from '../../../protocol/index.ts';
import { LIMITS } from '../../../protocol/index.ts';
import type { HttpResponse } from '../../transport/transport.ts';
import { json, jsonError } from '../json-response.ts';
import { decodeJsonBody } from '../request-body.ts';
import type { AdminContext, AdminDeps, AdminRoute } from './admin-route.ts';

function listed(deps: AdminDeps): AdminDepartment[] {
  return deps.admin.departments();
}

function tellSwitchboard(deps: AdminDeps, moved?: { from: string; to: string }): void {
  const departments = deps.storage.listDepartments();
  deps.notify(
    moved === undefined
      ? { type: 'departments_changed', departments }
      : { type: 'departments_changed', departments, moved },
  );
}

/** An id from the name (`Billing & Refunds` → `billing-refunds`), or a random one. */
function idFor(name: string, taken: ReadonlySet<string>): string {
  const slug = name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  if (slug !== '' && !taken.has(slug)) return slug;
  return `d${randomBytes(6)
    .toString('base64url')
    .replace(/[^A-Za-z0-9]/g, 'x')}`;
}

function findDepartment(deps: AdminDeps, ctx: AdminContext): AdminDepartment | HttpResponse {
  const found = listed(deps).find((d) => d.id === ctx.params['id']);
  return found ?? jsonError(404, 'unknown_department');
}

const list: AdminRoute = {
  method: 'GET',
  path: '/api/admin/departments',
  roles: ['admin'],
  handle: (_ctx, deps) => json(200, { departments: listed(deps) }),
};

const create: AdminRoute = {
  method: 'POST',
  path: '/api/admin/departments',
  roles: ['admin'],
  handle(ctx, deps) {
    const body = decodeJsonBody(ctx.req, CreateDepartmentBody);
    if (!body.ok) return body.response;
    const all = listed(deps);
    if (all.length >= LIMITS.maxDepartments) {
      return jsonError(400, 'bad_frame', {
        detail: `at most ${LIMITS.maxDepartments} departments`,
      });
    }
    const taken = new Set(all.map((d) => d.id));
    if (body.value.id !== undefined && taken.has(body.value.id)) {
      return jsonError(409, 'department_exists');
    }
    const id = body.value.id ?? idFor(body.value.name, taken);
    deps.storage.upsertDepartment({ id, name: body.value.name, open: true });
    tellSwitchboard(deps);
    ctx.audit('department.create', id, { name: body.value.name });
    return json(
      201,
      listed(deps).find((d) => d.id === id),
    );
  },
};

const rename: AdminRoute = {
  method: 'PATCH',
  path: '/api/admin/departments/:id',
  roles: ['admin'],
  handle(ctx, deps) {
    const body = decodeJsonBody(ctx.req, RenameDepartmentBody);
    if (!body.ok) return body.response;
    const found = findDepartment(deps, ctx);
    if (!('id' in found)) return found;
    if (found.retiredAt !== null) return jsonError(404, 'unknown_department');
    deps.admin.renameDepartment(found.id, body.value.name);
    tellSwitchboard(deps);
    ctx.audit('department.rename', found.id, { from: found.name, to: body.value.name });
    return json(200, { ...found, name: body.value.name });
  },
};

const order: AdminRoute = {
  method: 'PUT',
  path: '/api/admin/departments/order',
  roles: ['admin'],
  handle(ctx, deps) {
    const body = decodeJsonBody(ctx.req, OrderDepartmentsBody);
    if (!body.ok) return body.response;
    const active = new Set(deps.storage.listDepartments().map((d) => d.id));
    const wanted = body.value.order;
    const unknown = wanted.filter((id) => !active.has(id));
    if (unknown.length > 0 || new Set(wanted).size !== wanted.length) {
      return jsonError(400, 'unknown_department', {
        detail: unknown.length > 0 ? unknown.join(', ') : 'an id is listed twice',
      });
    }
    deps.admin.orderDepartments(wanted);
    tellSwitchboard(deps);
    ctx.audit('department.order', wanted.join(','), { order: wanted });
    return json(200, { departments: listed(deps) });
  },
};

const retire: AdminRoute = {
  method: 'POST',
  path: '/api/admin/departments/:id/retire',
  roles: ['admin'],
  handle(ctx, deps) {
    const body = decodeJsonBody(ctx.req, RetireDepartmentBody);
    if (!body.ok) return body.response;
    const found = findDepartment(deps, ctx);
    if (!('id' in found)) return found;
    if (found.retiredAt !== null) return jsonError(404, 'unknown_department');
    const active = deps.storage.listDepartments();
    if (active.length <= 1) return jsonError(409, 'last_department');
    const moveTo = body.value.moveTo;
    if (moveTo === found.id || !active.some((d) => d.id === moveTo)) {
      return jsonError(400, 'unknown_department', { detail: `moveTo: ${moveTo}` });
    }
    const helpers = deps.admin.retireDepartment(found.id, ctx.now, moveTo);
    tellSwitchboard(deps, { from: found.id, to: moveTo });
    for (const [accountId, departments] of helpers) {
      deps.notify({ type: 'helper_departments', accountId, departments });
    }
    ctx.audit('department.retire', found.id, { moveTo });
    return json(200, { departments: listed(deps) });
  },
};

export const departmentRoutes: readonly AdminRoute[] = [list, create, order, rename, retire];
