/**
 * Blocks (SPEC.md SP-A6, F28): the blocks in force, with visitor, IP (when it was
 * blocked too), reason, who, when and until when; lifting one early. Admins and
 * monitors may do both; lifting is audited, and the switchboard forgets the block
 * at once, so the visitor's next request is queued.
 */
import { LiftBlockBody, type AdminBlock } from '../../../protocol/index.ts';
import { json, jsonError } from '../json-response.ts';
import { decodeJsonBody } from '../request-body.ts';
import type { AdminDeps, AdminRoute } from './admin-route.ts';

function blocksInForce(deps: AdminDeps, now: number): AdminBlock[] {
  const nicknames = new Map(deps.storage.listAccounts().map((a) => [a.id, a.nickname]));
  return deps.storage.listBlocks(now).map((b) => ({
    id: b.id,
    visitorId: b.visitorId,
    ip: b.ip,
    reason: b.reason,
    by: nicknames.get(b.by) ?? b.by,
    createdAt: b.createdAt,
    until: b.until,
    chatId: b.chatId,
  }));
}

const list: AdminRoute = {
  method: 'GET',
  path: '/api/admin/blocks',
  roles: ['admin', 'monitor'],
  handle: (ctx, deps) => json(200, { blocks: blocksInForce(deps, ctx.now) }),
};

const lift: AdminRoute = {
  method: 'POST',
  path: '/api/admin/blocks/:id/lift',
  roles: ['admin', 'monitor'],
  handle(ctx, deps) {
    const body = decodeJsonBody(ctx.req, LiftBlockBody);
    if (!body.ok) return body.response;
    const block = deps.admin.block(ctx.params['id'] ?? '');
    if (block === null || block.liftedAt !== null || block.until <= ctx.now) {
      return jsonError(404, 'unknown_block');
    }
    if (!deps.admin.liftBlock(block.id, ctx.now, ctx.actor?.id ?? '')) {
      return jsonError(404, 'unknown_block');
    }
    deps.notify({ type: 'blocks_changed', blocks: deps.storage.listBlocks(ctx.now) });
    // SP-PV5: a block's IP address lives only as long as the block; the audit log, which
    // outlives it, says only whether it had one.
    ctx.audit('block.lift', block.id, {
      visitorId: block.visitorId,
      ipBlocked: block.ip !== null,
      reason: block.reason,
    });
    return json(200, { blocks: blocksInForce(deps, ctx.now) });
  },
};

export const blockRoutes: readonly AdminRoute[] = [list, lift];
