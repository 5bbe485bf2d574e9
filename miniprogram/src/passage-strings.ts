// The words of 我的通行, kept apart from strings.ts like bus-strings.ts.
export const passageStrings = {
  title: '我的通行',
  quickTile: '我的通行',
  asOf: (time: string) => `以下为 ${time} 的通行权限`,
  allowed: '可通行',
  refused: '不可通行',
  late: '可通行（晚归将被记录）',
  noneAllowed: '当前没有可通行的门',
  reasons: {
    NO_PASSAGE_RIGHT: '无通行权限',
    PASSAGE_DENIED: '禁止通行',
    CURFEW: '宿舍门禁时段',
    PASSBACK: '请先从出口刷卡',
  } as Record<string, string>,
  refresh: '刷新',
};
