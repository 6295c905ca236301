/**
 * What the HTTP admin API answers (SPEC.md SP-A1–SP-A9). The console decodes every answer
 * with these before it shows anything (STYLE.md point 3).
 */
import * as v from 'valibot';
import { LIMITS } from './limits.ts';
import { AccountRole, DepartmentId, Id, Name, Nickname, Timestamp } from './primitives.ts';

const text = (max: number) => v.pipe(v.string(), v.maxLength(max));

export const AdminAccount = v.object({
  id: Id,
  nickname: Nickname,
  name: Name,
  role: AccountRole,
  chatLimit: v.pipe(v.number(), v.integer(), v.minValue(0)),
  departments: v.array(DepartmentId),
  disabled: v.boolean(),
  createdAt: Timestamp,
  /** Set while a run of wrong passwords keeps the account locked (SP-A9). */
  lockedUntil: v.nullable(Timestamp),
});
export type AdminAccount = v.InferOutput<typeof AdminAccount>;

export const AccountsView = v.object({
  accounts: v.array(AdminAccount),
  maxChatLimit: v.number(),
});
export type AccountsView = v.InferOutput<typeof AccountsView>;

/** A created account or a reset password; `setPasswordPath` when a link was asked for. */
export const AccountCreated = v.object({
  account: AdminAccount,
  setPasswordPath: v.nullable(text(LIMITS.maxUrlLength)),
  linkExpiresAt: v.nullable(Timestamp),
});
export type AccountCreated = v.InferOutput<typeof AccountCreated>;

export const AdminDepartment = v.object({
  id: DepartmentId,
  name: Name,
  open: v.boolean(),
  position: v.number(),
  retiredAt: v.nullable(Timestamp),
});
export type AdminDepartment = v.InferOutput<typeof AdminDepartment>;

export const DepartmentsView = v.object({ departments: v.array(AdminDepartment) });

export const AdminBlock = v.object({
  id: Id,
  visitorId: text(LIMITS.maxIdLength),
  ip: v.nullable(text(100)),
  reason: text(LIMITS.maxReasonLength),
  /** Who blocked: the account's nickname when it is known, else its id. */
  by: text(LIMITS.maxNicknameLength + LIMITS.maxIdLength),
  createdAt: Timestamp,
  until: Timestamp,
  chatId: v.nullable(text(LIMITS.maxIdLength)),
});
export type AdminBlock = v.InferOutput<typeof AdminBlock>;

export const BlocksView = v.object({ blocks: v.array(AdminBlock) });

export const SettingView = v.object({
  name: text(64),
  label: text(200),
  description: text(500),
  /** The value in force, in the environment's text format. */
  value: text(LIMITS.maxSettingLength),
  /** The environment's value (or its default). */
  defaultValue: text(LIMITS.maxSettingLength),
  overridden: v.boolean(),
  /** Whether a change applies at once (true) or after a restart. */
  live: v.boolean(),
});
export type SettingView = v.InferOutput<typeof SettingView>;

export const SettingsView = v.object({ settings: v.array(SettingView) });

export const EmbeddingView = v.object({
  serviceOrigin: text(LIMITS.maxUrlLength),
  snippet: text(2000),
  allowedOrigins: v.array(text(LIMITS.maxUrlLength)),
});
export type EmbeddingView = v.InferOutput<typeof EmbeddingView>;

export const OriginCheck = v.object({
  origin: v.nullable(text(LIMITS.maxUrlLength)),
  allowed: v.boolean(),
  reason: text(300),
});
export type OriginCheck = v.InferOutput<typeof OriginCheck>;

export const AuditEntry = v.object({
  id: v.number(),
  at: Timestamp,
  actor: text(LIMITS.maxNicknameLength),
  action: text(60),
  target: text(200),
  detail: text(2000),
});
export type AuditEntry = v.InferOutput<typeof AuditEntry>;

export const AuditPage = v.object({ entries: v.array(AuditEntry) });
