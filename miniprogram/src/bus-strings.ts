// The words of the school-bus page, kept apart from strings.ts like visitor-strings.ts.
export const busStrings = {
  title: '校车预约',
  quickTile: '校车',
  runs: '今日班次',
  mine: '我的预约',
  none: '暂无班次',
  noBookings: '还没有预约',
  seatsLeft: (n: number) => `余座 ${n}`,
  book: '预约',
  booking: '正在预约…',
  booked: '预约成功，请按时乘车',
  full: '已满',
  cancel: '取消预约',
  cancelConfirm: (what: string) => `确定取消 ${what} 的预约吗？`,
  cancelled: '预约已取消',
  status: { booked: '已预约', cancelled: '已取消', ridden: '已乘车', no_show: '未乘车' } as Record<
    string,
    string
  >,
  runCancelled: '班次已取消',
  errors: {
    BUS_SOLD_OUT: '这个班次已经约满了',
    BUS_ALREADY_BOOKED: '您已预约了这个班次',
    BUS_RUN_CLOSED: '班次已取消或已发车',
    BUS_BOOKING_LIMIT: '今天可预约的座位已用完',
    BUS_BOOKING_BARRED: '近期多次预约未乘车，暂时不能预约',
    BUS_RUN_NOT_FOUND: '没有找到这个班次',
    BUS_BOOKING_NOT_FOUND: '没有找到这条预约',
  },
};
