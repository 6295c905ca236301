/**
 * F32 "forget this visitor" for admins (SPEC.md SP-PV1–SP-PV3): `POST
 * /api/admin/privacy/forget` with a visitor id or an email erases everything stored
 * about that visitor (signal/privacy/visitor-erasure.ts) and is audited. The audit
 * names the visitor only by a SHA-256 of what was asked, so the record of the
 * erasure keeps nothing of them, yet can tell whether a given id or email was forgotten.
 */
import { createHash } from 'node:crypto';
import { ForgetVisitorBody } from '../../../protocol/index.ts';
import { json, jsonError } from '../json-response.ts';
import { decodeJsonBody } from '../request-body.ts';
import type { AdminRoute } from './admin-route.ts';

/** What the audit keeps of the visitor: `sha256:` of the id or the lower-cased email. */
export function forgottenDigest(body: ForgetVisitorBody): string {
  const what = body.visitorId ?? body.email?.toLowerCase() ?? '';
  return `sha256:${createHash('sha256').update(what).digest('hex')}`;
}

const forget: AdminRoute = {
  method: 'POST',
  path: '/api/admin/privacy/forget',
  roles: ['admin'],
  handle(ctx, deps) {
    const body = decodeJsonBody(ctx.req, ForgetVisitorBody);
    if (!body.ok) return body.response;
    const result = deps.forgetVisitor(body.value);
    if (!result.ok) return jsonError(409, result.code);
    ctx.audit('visitor.forget', forgottenDigest(body.value), result.erased);
    return json(200, { erased: result.erased });
  },
};

export const privacyRoutes: readonly AdminRoute[] = [forget];
