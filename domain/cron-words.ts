// A cron schedule in the words an operator reads (10分ごと, 毎日 3:00, 毎週月曜 9:30). The screens
// show these beside the expression; a shape not covered here gives null and the screen shows the
// expression alone — never a guess.

const WEEKDAYS = ['日', '月', '火', '水', '木', '金', '土'];

const num = (s: string, min: number, max: number): number | null => {
  if (!/^\d{1,2}$/.test(s)) return null;
  const n = Number(s);
  return n >= min && n <= max ? n : null;
};

const every = (s: string): number | null => {
  const m = /^\*\/(\d{1,2})$/.exec(s);
  return m ? Number(m[1]) || null : null;
};

/** "1,13" → [1, 13]; "9-18" → the range; a single number → [n]. Null for anything else. */
function hoursOf(s: string): { list: number[] } | { from: number; to: number } | null {
  const range = /^(\d{1,2})-(\d{1,2})$/.exec(s);
  if (range) {
    const from = num(range[1]!, 0, 23);
    const to = num(range[2]!, 0, 23);
    return from !== null && to !== null && from < to ? { from, to } : null;
  }
  const list = s.split(',').map((h) => num(h, 0, 23));
  return list.every((h) => h !== null) ? { list: list as number[] } : null;
}

const clock = (h: number, m: number) => `${h}:${String(m).padStart(2, '0')}`;

function weekdaysOf(s: string): string | null {
  if (s === '*') return '';
  if (s === '1-5') return '平日';
  if (s === '0,6' || s === '6,0') return '土日';
  const days = s.split(',').map((d) => num(d === '7' ? '0' : d, 0, 6));
  if (!days.every((d) => d !== null)) return null;
  return `毎週${days.map((d) => WEEKDAYS[d as number]).join('・')}曜`;
}

export function cronInWords(expr: string): string | null {
  const parts = expr.trim().split(/\s+/);
  if (parts.length !== 5) return null;
  const [min, hour, dom, month, dow] = parts as [string, string, string, string, string];
  if (dom !== '*' || month !== '*') return null;
  const days = weekdaysOf(dow);
  if (days === null) return null;
  const prefix = days === '' ? '' : `${days} `;
  const stepMin = every(min);
  const fixedMin = num(min, 0, 59);

  if (hour === '*') {
    if (min === '*') return `${prefix}毎分`;
    if (stepMin !== null) return `${prefix}${stepMin}分ごと`;
    if (fixedMin !== null) return `${prefix}毎時 ${fixedMin}分`;
    return null;
  }
  const stepHour = every(hour);
  if (stepHour !== null) return fixedMin !== null ? `${prefix}${stepHour}時間ごと（${fixedMin}分）` : null;
  const hours = hoursOf(hour);
  if (hours === null) return null;
  if ('from' in hours) {
    const span = `${hours.from}時〜${hours.to}時台`;
    if (stepMin !== null) return `${prefix}${span}に${stepMin}分ごと`;
    if (fixedMin !== null) return `${prefix}${span}の毎時 ${fixedMin}分`;
    return null;
  }
  if (fixedMin === null) return null;
  const at = hours.list.map((h) => clock(h, fixedMin)).join('・');
  return days === '' ? `毎日 ${at}` : `${days} ${at}`;
}
