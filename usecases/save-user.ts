// Operations on dashboard users: add one (a login is unique), add or reset one by login (the CLI's
// `juchu users`), change one (name, role, enabled, password). A new password must pass the rules
// for its role (domain/passwords.ts, enforced where it is hashed); an admin cannot take away their
// own admin rights. A disabled user or a new password ends that user's sessions at once.
import { endUserSessions } from '../db/sessions.js';
import { createUser, findUser, loginTaken, type PasswordPolicy, type Role, updateUser } from '../db/users.js';
import { RuleRefusal } from '../domain/refusal.js';
import type { UseCaseDeps } from './deps.js';

type Deps = Pick<UseCaseDeps, 'db'>;

export interface NewUser {
  login: string;
  displayName: string;
  role: Role;
  password: string;
}

export async function addUser(deps: Deps, input: NewUser, policy: PasswordPolicy) {
  if (await loginTaken(deps.db, input.login))
    throw new RuleRefusal(`ログイン名 ${input.login} は使われています`, 'login_taken');
  return createUser(deps.db, input, policy);
}

/** Creates the user, or resets an existing one's name, role and password (their sessions end). */
export async function setUser(deps: Deps, input: NewUser, policy: PasswordPolicy) {
  const user = await createUser(deps.db, input, policy);
  await endUserSessions(deps.db, user.id);
  return user;
}

export async function changeUser(
  deps: Deps,
  input: {
    id: number;
    patch: { displayName?: string; role?: Role; enabled?: boolean; password?: string };
    /** Who asks (an admin may not demote or disable themselves). */
    by: { id: number };
  },
  policy: PasswordPolicy,
): Promise<void> {
  const { id, patch } = input;
  if (!(await findUser(deps.db, id))) throw new RuleRefusal(`ユーザー ${id} はありません`, 'not_found');
  if (id === input.by.id && (patch.enabled === false || (patch.role && patch.role !== 'admin')))
    throw new RuleRefusal('自分自身の管理者権限は外せません', 'self_demotion');
  await updateUser(deps.db, id, patch, policy);
  if (patch.enabled === false || patch.password) await endUserSessions(deps.db, id);
}
