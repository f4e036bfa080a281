// お届け時間帯 as carts write it ("14-16", "14:00～16:00", "１４時～１６時", "午前中", "0812") → one
// of the slots Japanese carriers offer. Each carrier's label layout maps the slot to its own code
// (domain/labels/); a slot a carrier does not offer is left unset there, with a warning.

/** 午前中 (8–12) and the two-hour (and 18–21) slots the carriers offer. */
export const TIME_SLOTS = ['am', '12-14', '14-16', '16-18', '18-20', '19-21', '20-21', '18-21'] as const;
export type TimeSlot = (typeof TIME_SLOTS)[number];

export const TIME_SLOT_LABELS: Readonly<Record<TimeSlot, string>> = {
  am: '午前中',
  '12-14': '12時〜14時',
  '14-16': '14時〜16時',
  '16-18': '16時〜18時',
  '18-20': '18時〜20時',
  '19-21': '19時〜21時',
  '20-21': '20時〜21時',
  '18-21': '18時〜21時',
};

export type SlotReading =
  | { kind: 'none' }
  | { kind: 'slot'; slot: TimeSlot }
  /** Text that names no slot we know ("夕方", "17-19"): kept for the warning. */
  | { kind: 'unknown'; text: string };

const NONE = /^(?:なし|指定なし|時間指定なし|希望なし|指定しない|特になし|none|-|ー|—)$/i;

/** Reads a cart's time slot. Empty or "指定なし" is none; a slot we cannot place is `unknown`. */
export function readTimeSlot(raw: string | null | undefined): SlotReading {
  const text = (raw ?? '').normalize('NFKC').replace(/\s+/g, '');
  if (text === '' || NONE.test(text)) return { kind: 'none' };
  if (/午前|^AM$|^am$/.test(text)) return { kind: 'slot', slot: 'am' };
  // "0812", "1416": the codes carts copy from Yamato's layout.
  const code = /^(\d{2})(\d{2})$/.exec(text);
  const hours = code ?? /(\d{1,2})(?::\d{2})?時?(?:頃)?[-~〜～ー―－から]+(\d{1,2})(?::\d{2})?時?/.exec(text);
  if (!hours) return { kind: 'unknown', text: raw!.trim() };
  const from = Number(hours[1]);
  const to = Number(hours[2]);
  if ((from === 8 || from === 9) && to === 12) return { kind: 'slot', slot: 'am' };
  const key = `${from}-${to}`;
  return (TIME_SLOTS as readonly string[]).includes(key)
    ? { kind: 'slot', slot: key as TimeSlot }
    : { kind: 'unknown', text: raw!.trim() };
}
