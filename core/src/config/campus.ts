import { z } from 'zod';
import { personTypes } from '../contract/cards.ts';

/** Campus life: device presence, door tables, the school bus and the campus-insight extract. */
export const campusSettings = {
  presenceSilenceMs: z.coerce
    .number()
    .int()
    .min(60_000)
    .max(86_400_000)
    .describe(
      'PRESENCE_SILENCE_MS: silence after which a device reads offline whatever its gateway last said',
    ),
  passagePeopleFollowMs: z.coerce
    .number()
    .int()
    .min(0)
    .multipleOf(1_000)
    .describe(
      'PASSAGE_PEOPLE_FOLLOW_MS: how often the door rule tables follow cards opened or cancelled and departments or classes moved by the sync (whole seconds; 0 turns it off)',
    ),
  busNoShowsMax: z.coerce
    .number()
    .int()
    .min(1)
    .describe(
      'BUS_NO_SHOWS_MAX: missed bus bookings within BUS_NO_SHOW_WINDOW_DAYS that bar a person from booking',
    ),
  busNoShowWindowDays: z.coerce
    .number()
    .int()
    .min(1)
    .max(365)
    .describe('BUS_NO_SHOW_WINDOW_DAYS: the days back in which missed bus bookings are counted'),
  busNoShowBarDays: z.coerce
    .number()
    .int()
    .min(1)
    .max(365)
    .describe('BUS_NO_SHOW_BAR_DAYS: how long a person with too many missed bus bookings may not book'),
  busFreePersonTypes: z
    .string()
    .transform((text) =>
      text
        .split(',')
        .map((t) => t.trim())
        .filter((t) => t !== ''),
    )
    .pipe(z.array(z.enum(personTypes)))
    .describe(
      'BUS_FREE_PERSON_TYPES: person types that ride the school bus free without a booking (comma-separated)',
    ),
  busOfflineRidesPerCardMax: z.coerce
    .number()
    .int()
    .min(1)
    .max(20)
    .describe(
      'BUS_OFFLINE_RIDES_PER_CARD_MAX: rides one card may take on one run while its bus reader is offline',
    ),
  insightDbPath: z
    .string()
    .min(1)
    .optional()
    .describe(
      'INSIGHT_DB_PATH: the DuckDB file the campus-insight extract feeds (docs/analytics.md); unset, no extract runs. One core instance only: DuckDB locks the file',
    ),
  insightIntervalMs: z.coerce
    .number()
    .int()
    .positive()
    .multipleOf(1_000)
    .describe(
      'INSIGHT_INTERVAL_MS: how often the insight extract copies what is new from the ledger (whole seconds)',
    ),
  insightOverlapMs: z.coerce
    .number()
    .int()
    .nonnegative()
    .describe(
      'INSIGHT_OVERLAP_MS: how far behind its watermark each insight extract run re-reads, for ledger transactions that commit late',
    ),
  insightMemoryLimit: z
    .string()
    .regex(/^\d+(MB|GB)$/)
    .describe("INSIGHT_MEMORY_LIMIT: DuckDB's buffer limit for the insight store, e.g. 1GB"),
  insightRetentionDays: z.coerce
    .number()
    .int()
    .refine((days) => days === 0 || days >= 30, 'INSIGHT_RETENTION_DAYS is 0 (keep all) or 30 or more')
    .describe(
      'INSIGHT_RETENTION_DAYS: rows older than this many days are deleted from the insight store after each extract run (docs/analytics.md); 0 keeps everything',
    ),
};
