import { Button, Text, View } from '@tarojs/components';
import { addMonths, isFutureMonth, type Month } from '../lib/month.ts';
import { strings } from '../strings.ts';

export function MonthSwitcher({
  month,
  onChange,
}: {
  readonly month: Month;
  readonly onChange: (m: Month) => void;
}) {
  const next = addMonths(month, 1);
  return (
    <View className="month-switcher">
      <Button className="btn btn-small" id="month-previous" onClick={() => onChange(addMonths(month, -1))}>
        {strings.bills.previousMonth}
      </Button>
      <Text className="month-label">{strings.bills.monthLabel(month.year, month.month)}</Text>
      <Button
        className="btn btn-small"
        id="month-next"
        disabled={isFutureMonth(next, Date.now())}
        onClick={() => onChange(next)}
      >
        {strings.bills.nextMonth}
      </Button>
    </View>
  );
}
