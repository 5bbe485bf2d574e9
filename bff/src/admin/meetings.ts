import { attendanceSessionId, day, meetingFields, type NewMeeting } from '@campus-card/core/contract';
import { daysBoundsMs, formatDateTime } from '@campus-card/core/time';
import { parse } from 'csv-parse/sync';
import type { Context } from 'koa';
import { z } from 'zod';
import { BffError } from '../errors.ts';
import { parseBody, parseValue } from '../http/middleware.ts';
import type { AdminRoute } from './routes.ts';

// Meetings and exams in the backoffice (docs/visitors-meetings-bus.md): make one (the roster a CSV of
// person numbers with optional seats, a department, or open), list them by day, the live board and its
// CSV export. A department admin makes them for their own department only.

const idPath = z.object({ id: attendanceSessionId });
const listQuery = z.object({ from: day, to: day });
const rosterCsvMax = 200_000;

// The organiser is the admin; a CSV roster arrives as text and is read here.
const createBody = meetingFields.omit({ organiser: true, roster: true, seats: true }).extend({
  roster: z.discriminatedUnion('by', [
    z.strictObject({ by: z.literal('csv'), csv: z.string().min(1).max(rosterCsvMax) }),
    z.strictObject({ by: z.literal('department'), department: z.string().trim().min(1).max(64) }),
    z.strictObject({ by: z.literal('open') }),
  ]),
});

/** "学号,座位号" rows (a header row is skipped when its first cell is not a person number). */
export function rosterOfCsv(csv: string): { personNos: string[]; seats: Record<string, string> } {
  let rows: string[][];
  try {
    rows = parse(csv, {
      bom: true,
      skip_empty_lines: true,
      trim: true,
      relax_column_count: true,
    }) as string[][];
  } catch {
    throw new BffError('VALIDATION_FAILED', 'the roster is not a CSV file');
  }
  const personNos: string[] = [];
  const seats: Record<string, string> = {};
  for (const [i, row] of rows.entries()) {
    const personNo = row[0] ?? '';
    if (!/^[A-Za-z0-9]{1,32}$/.test(personNo)) {
      if (i === 0) continue;
      throw new BffError('VALIDATION_FAILED', `row ${i + 1}: not a person number`);
    }
    personNos.push(personNo);
    const seat = row[1]?.trim();
    if (seat) seats[personNo] = seat.slice(0, 16);
  }
  if (personNos.length === 0) throw new BffError('VALIDATION_FAILED', 'the roster lists nobody');
  return { personNos, seats };
}

const statusWords: Record<string, string> = {
  signed_in: '已签到',
  late: '迟到',
  absent: '缺席',
  waiting: '未到',
};

function attach(ctx: Context, file: string, text: string): Buffer {
  ctx.type = 'text/csv; charset=utf-8';
  ctx.set('content-disposition', `attachment; filename="${file}"`);
  // A BOM so spreadsheet programs read the Chinese as UTF-8.
  return Buffer.from(`\ufeff${text}`, 'utf8');
}

const cell = (value: string) => (/[",\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);

export const meetingRoutes: AdminRoute[] = [
  {
    method: 'GET',
    path: '/meetings',
    right: 'meeting.read',
    handle: (ctx, _admin, s) => {
      const { from, to } = parseValue({ ...ctx.query }, listQuery);
      const { startMs, endMs } = daysBoundsMs(from, to);
      return s.core.meetings(startMs, endMs);
    },
  },
  {
    method: 'POST',
    path: '/meetings',
    right: 'meeting.manage',
    handle: async (ctx, admin, s) => {
      const body = parseBody(ctx, createBody);
      if (body.startsAtMs >= body.endsAtMs)
        throw new BffError('VALIDATION_FAILED', 'the meeting must end after it starts');
      if (
        admin.department !== null &&
        (body.roster.by !== 'department' || body.roster.department !== admin.department)
      )
        throw new BffError('FORBIDDEN', 'a department admin makes meetings of their own department only');
      const { roster: asked, ...rest } = body;
      let roster: NewMeeting['roster'];
      let seats: Record<string, string> = {};
      if (asked.by === 'csv') {
        const read = rosterOfCsv(asked.csv);
        roster = { by: 'list', personNos: read.personNos };
        seats = read.seats;
      } else roster = asked;
      const made = await s.core.createMeeting({ ...rest, roster, seats, organiser: admin.username });
      await s.audit.record(admin, 'meeting.create', 'meeting', made.id, {
        kind: made.kind,
        roster: body.roster.by,
        people: made.rosterSize,
      });
      return made;
    },
  },
  {
    method: 'GET',
    path: '/meetings/:id/board',
    right: 'meeting.read',
    handle: (ctx, _admin, s) => s.core.meetingBoard(parseValue(ctx.params, idPath).id),
  },
  {
    method: 'POST',
    path: '/meetings/:id/notices',
    right: 'meeting.manage',
    handle: async (ctx, admin, s) => {
      const { id } = parseValue(ctx.params, idPath);
      const sent = await s.core.sendMeetingNotices(id);
      await s.audit.record(admin, 'meeting.notices', 'meeting', id, sent);
      return sent;
    },
  },
  {
    method: 'GET',
    path: '/meetings/:id/board.csv',
    right: 'meeting.read',
    handle: async (ctx, admin, s) => {
      const { id } = parseValue(ctx.params, idPath);
      const board = await s.core.meetingBoard(id);
      const lines = ['学号,姓名,院系,座位,状态,签到时间'];
      for (const r of board.rows)
        lines.push(
          [
            r.personNo,
            r.name ?? '',
            r.department ?? '',
            r.seat ?? '',
            statusWords[r.status] ?? '',
            r.signedInAtMs === null ? '' : formatDateTime(r.signedInAtMs),
          ]
            .map(cell)
            .join(','),
        );
      await s.audit.record(admin, 'meeting.export', 'meeting', id, { format: 'csv' });
      return attach(ctx, `meeting-${id}.csv`, `${lines.join('\n')}\n`);
    },
  },
];
