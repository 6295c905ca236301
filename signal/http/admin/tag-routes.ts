/**
 * The most common issues (F22, SPEC.md SP-K6, SP-K7): tag counts per day, week or month
 * for monitors and admins, as JSON for the console's chart and table or as CSV to
 * download; and the team's tags, most used first, for every signed-in staff member
 * (suggestions for `/tag`). Reading statistics changes nothing, so nothing is audited.
 */
import * as v from 'valibot';
import { TagStatsQuery, tagStatsCsv } from '../../../protocol/index.ts';
import { json, jsonError } from '../json-response.ts';
import type { AdminRoute } from './admin-route.ts';

/** A query string as an object of its first values; repeated or unknown keys reach the
 * strict schema, which refuses unknown ones. */
function queryObject(query: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(query)) out[key] ??= value;
  return out;
}

const stats: AdminRoute = {
  method: 'GET',
  path: '/api/admin/tag-stats',
  roles: ['admin', 'monitor'],
  handle(ctx, deps) {
    const parsed = v.safeParse(TagStatsQuery, queryObject(ctx.req.query));
    if (!parsed.success) {
      const issue = parsed.issues[0];
      const where = issue === undefined ? 'query' : (v.getDotPath(issue) ?? 'query');
      return jsonError(400, 'bad_frame', { detail: `${where}: ${issue?.message ?? 'invalid'}` });
    }
    const view = deps.chatMeta.tagStats(parsed.output);
    if (parsed.output.format !== 'csv') return json(200, view);
    return {
      status: 200,
      headers: {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="peerdesk-tags-${view.bucket}-${view.from}-to-${view.to}.csv"`,
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
      },
      body: tagStatsCsv(view),
    };
  },
};

const used: AdminRoute = {
  method: 'GET',
  path: '/api/admin/tags',
  roles: ['admin', 'monitor', 'helper', 'trainee'],
  handle: (_ctx, deps) => json(200, deps.chatMeta.usedTags()),
};

export const tagRoutes: readonly AdminRoute[] = [stats, used];
