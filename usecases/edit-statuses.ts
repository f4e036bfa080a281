// Operations on the status catalogue: labels are data. Any status can be renamed; custom statuses
// can be added inside a group (the seed's 出荷保留1 → 予約注文), not in キャンセル対応 (its flow is
// fixed); a custom status can be removed once no order is in it. System statuses are never removed.
import {
  deleteStatus,
  findStatus,
  insertStatus,
  statusHasOrders,
  updateStatusLabel,
} from '../db/statuses.js';
import type { StatusGroup } from '../domain/order.js';
import { RuleRefusal } from '../domain/refusal.js';
import type { StatusDef } from '../domain/statuses.js';
import type { UseCaseDeps } from './deps.js';

type Deps = Pick<UseCaseDeps, 'db'>;

export async function renameStatus(deps: Deps, code: string, label: string): Promise<StatusDef> {
  const l = label.trim();
  if (!l) throw new RuleRefusal('ステータス名を入力してください', 'empty_label');
  const r = await updateStatusLabel(deps.db, code, l);
  if (!r) throw new RuleRefusal(`ステータス "${code}" はありません`, 'not_found');
  return r;
}

export async function addStatus(
  deps: Deps,
  input: { code: string; group: StatusGroup; label: string },
): Promise<StatusDef> {
  if (!/^[a-z0-9_]+$/.test(input.code))
    throw new RuleRefusal('ステータスコードは英小文字・数字・_ です', 'bad_code');
  if (input.group === 'cancellation')
    throw new RuleRefusal('キャンセルのグループには独自のステータスを追加できません', 'cancellation_group');
  return insertStatus(deps.db, { ...input, label: input.label.trim() });
}

export async function removeStatus(deps: Deps, code: string): Promise<void> {
  const s = await findStatus(deps.db, code);
  if (!s) throw new RuleRefusal(`ステータス "${code}" はありません`, 'not_found');
  if (s.system)
    throw new RuleRefusal(
      `「${code}」は標準のステータスです。名前は変えられますが、削除はできません`,
      'system_status',
    );
  if (await statusHasOrders(deps.db, code))
    throw new RuleRefusal(
      `ステータス「${code}」の受注が残っています。先に別のステータスへ移してください`,
      'in_use',
    );
  await deleteStatus(deps.db, code);
}
