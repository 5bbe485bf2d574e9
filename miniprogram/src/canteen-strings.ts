// The words of the home page's canteen card (食堂人流), kept apart from strings.ts like bus-strings.ts.
import type { CanteenLoadLevel } from '@campus-card/core/contract/insight';

export const canteenStrings = {
  title: '食堂人流',
  now: '现在',
  in30: '30分钟后',
  level: { quiet: '空闲', moderate: '适中', busy: '繁忙', crowded: '拥挤' } satisfies Record<
    CanteenLoadLevel,
    string
  >,
  /** What the levels are read from: no one is watched, payments are counted. */
  basis: '按近 8 周同一时段的刷卡笔数估算，与各窗口的接待能力相比',
  /** The spoken name of one slot's figure, for screen readers. */
  expected: (n: number) => `约 ${n} 笔/15分钟`,
};
