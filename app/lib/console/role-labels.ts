import type { AccountRole } from '$protocol';

/** How each account role is named to people (DESIGN.md section 3). */
export const ROLE_LABELS = {
  trainee: 'Trainee helper',
  helper: 'Helper',
  monitor: 'Room monitor',
  admin: 'Admin',
} as const satisfies Record<AccountRole, string>;

export function roleLabel(role: AccountRole): string {
  return ROLE_LABELS[role];
}
