/**
 * Bodies of the HTTP admin API (SPEC.md SP-A1–SP-A9). Every object is strict: a field the
 * schema does not name is refused (`bad_frame`), so a typo never silently does nothing.
 * The service decodes every body with these before it acts; the console builds its
 * requests from the same types.
 */
import * as v from 'valibot';
import { LIMITS } from './limits.ts';
import { AccountRole, DepartmentId, Id, Name, Nickname } from './primitives.ts';

export const Password = v.pipe(v.string(), v.minLength(1), v.maxLength(LIMITS.maxPasswordLength));

export const ChatLimitValue = v.pipe(
  v.number(),
  v.integer(),
  v.minValue(1),
  v.maxValue(LIMITS.maxChatLimitCeiling),
);

/** The departments a helper takes chats for; empty means every department. */
export const DepartmentIds = v.pipe(v.array(DepartmentId), v.maxLength(LIMITS.maxDepartments));

/** How a new account (or a reset) gets its password: given now, or a one-time link. */
export const PasswordChoice = v.variant('kind', [
  v.strictObject({ kind: v.literal('password'), password: Password }),
  v.strictObject({ kind: v.literal('link') }),
]);
export type PasswordChoice = v.InferOutput<typeof PasswordChoice>;

export const CreateAccountBody = v.strictObject({
  nickname: Nickname,
  name: v.optional(Name),
  role: AccountRole,
  chatLimit: v.optional(ChatLimitValue),
  departments: v.optional(DepartmentIds),
  password: PasswordChoice,
});
export type CreateAccountBody = v.InferOutput<typeof CreateAccountBody>;

/** Changes to an account; absent fields stay as they are. */
export const UpdateAccountBody = v.pipe(
  v.strictObject({
    name: v.optional(Name),
    role: v.optional(AccountRole),
    chatLimit: v.optional(ChatLimitValue),
    departments: v.optional(DepartmentIds),
    disabled: v.optional(v.boolean()),
  }),
  v.check((body) => Object.keys(body).length > 0, 'name at least one field to change'),
);
export type UpdateAccountBody = v.InferOutput<typeof UpdateAccountBody>;

export const ResetPasswordBody = v.strictObject({ password: PasswordChoice });
export type ResetPasswordBody = v.InferOutput<typeof ResetPasswordBody>;

/** Sent by the person who got a set-password link (no session). */
export const SetPasswordBody = v.strictObject({
  token: v.pipe(v.string(), v.minLength(1), v.maxLength(LIMITS.maxTokenLength)),
  password: Password,
});
export type SetPasswordBody = v.InferOutput<typeof SetPasswordBody>;

export const PromoteBody = v.strictObject({});

export const CreateDepartmentBody = v.strictObject({
  id: v.optional(DepartmentId),
  name: Name,
});
export type CreateDepartmentBody = v.InferOutput<typeof CreateDepartmentBody>;

export const RenameDepartmentBody = v.strictObject({ name: Name });

export const OrderDepartmentsBody = v.strictObject({ order: DepartmentIds });

/** Retiring a department moves its queued and active chats to `moveTo` (SP-A5). */
export const RetireDepartmentBody = v.strictObject({ moveTo: DepartmentId });

export const LiftBlockBody = v.strictObject({});

/** Settings by their environment variable name, in the environment's text format;
 * null returns a setting to the environment's value (SP-A7). */
export const UpdateSettingsBody = v.strictObject({
  settings: v.pipe(
    v.record(
      v.pipe(v.string(), v.maxLength(64), v.regex(/^[A-Z_]+$/)),
      v.nullable(v.pipe(v.string(), v.maxLength(LIMITS.maxSettingLength))),
    ),
    v.check((settings) => Object.keys(settings).length > 0, 'name at least one setting'),
  ),
});
export type UpdateSettingsBody = v.InferOutput<typeof UpdateSettingsBody>;

export const CheckOriginBody = v.strictObject({
  origin: v.pipe(v.string(), v.minLength(1), v.maxLength(LIMITS.maxUrlLength)),
});

export const AuditQuery = v.strictObject({
  before: v.optional(v.pipe(v.string(), v.regex(/^\d{1,15}$/), v.transform(Number))),
  limit: v.optional(
    v.pipe(v.string(), v.regex(/^\d{1,3}$/), v.transform(Number), v.minValue(1), v.maxValue(200)),
  ),
});

export const AccountIdParam = Id;
