/**
 * F32 "forget this visitor" and the audit log (SPEC.md PV1, PV2): an audit line that
 * names the visitor (a block lifted) keeps what was done, by whom and when, but no
 * longer whom it was done to: its visitor id and IP address are redacted. Lines about
 * other visitors are untouched. A real SQLite database, the erasure itself.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eraseVisitor } from '../../../signal/privacy/visitor-erasure.ts';
import { openSqliteStorage, type SqliteStorage } from '../../../signal/storage/sqlite-storage.ts';

describe('forget this visitor: the audit log (PV1, PV2)', () => {
  let dir: string;
  let storage: SqliteStorage;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'peerdesk-forget-audit-'));
    storage = openSqliteStorage(join(dir, 'peerdesk.sqlite'));
  });
  afterEach(() => {
    storage.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const audit = (action: string, target: string, detail: object) =>
    storage.database
      .prepare(
        `INSERT INTO audit_log (at, actor_id, actor, action, target, detail) VALUES (1, 'a1', 'admin', ?, ?, ?)`,
      )
      .run(action, target, JSON.stringify(detail));

  it('redacts the visitor id and IP of lines about them, keeps the rest and other lines', () => {
    audit('block.lift', 'block-1', { visitorId: 'v-zed', ip: '203.0.113.5', reason: 'spam' });
    audit('block.lift', 'block-2', { visitorId: 'v-otto', ipBlocked: true, reason: 'abuse' });
    audit('settings.update', 'FORUM_URL', { FORUM_URL: 'https://forum.example' });

    const result = eraseVisitor(storage.database, { visitorId: 'v-zed' });

    expect(result).toMatchObject({ ok: true, erased: { auditLines: 1 } });
    const rows = storage.database
      .prepare('SELECT action, target, detail FROM audit_log ORDER BY id')
      .all() as { action: string; target: string; detail: string }[];
    expect(rows.map((r) => [r.action, r.target, JSON.parse(r.detail)])).toEqual([
      ['block.lift', 'block-1', { visitorId: '(forgotten)', ip: null, reason: 'spam' }],
      ['block.lift', 'block-2', { visitorId: 'v-otto', ipBlocked: true, reason: 'abuse' }],
      ['settings.update', 'FORUM_URL', { FORUM_URL: 'https://forum.example' }],
    ]);
    const text = rows.map((r) => r.detail).join('\n');
    expect(text).not.toContain('v-zed');
    expect(text).not.toContain('203.0.113.5');
  });
});
