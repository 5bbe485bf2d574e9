import { Text, View } from '@tarojs/components';
import { useRouter } from '@tarojs/taro';
import { StateView } from '../../components/StateView.tsx';
import { useRemote } from '../../components/use-remote.ts';
import { formatFen } from '../../lib/money.ts';
import { formatFullTime } from '../../lib/month.ts';
import { routeParam } from '../../lib/route.ts';
import { signedAmount, transactionTitle } from '../../lib/transactions.ts';
import { api } from '../../services/api.ts';
import { getTransaction } from '../../services/transactions.ts';
import { strings } from '../../strings.ts';

function Row({ label, value }: { readonly label: string; readonly value: string }) {
  return (
    <View className="kv">
      <Text className="kv-key">{label}</Text>
      <Text>{value}</Text>
    </View>
  );
}

export default function BillDetailPage() {
  const id = routeParam(useRouter().params.id) ?? '';
  const remote = useRemote(() => getTransaction(api, id), [id]);
  const row = remote.data;
  return (
    <View className="page page-bill-detail">
      <StateView loading={remote.loading} error={remote.error} onRetry={remote.reload}>
        {row ? (
          <View className="section">
            <Text className="row-sub">{transactionTitle(row)}</Text>
            <Text className="big-number">{signedAmount(row).text}</Text>
            <Row label={strings.bills.time} value={formatFullTime(row.createdAtMs)} />
            <Row label={strings.bills.merchant} value={row.merchantName ?? '—'} />
            <Row label={strings.bills.device} value={row.deviceId ?? '—'} />
            <Row
              label={strings.bills.walletSplit}
              value={`${strings.bills.mainPart} ${formatFen(Math.abs(row.mainAmount ?? 0))} · ${strings.bills.subsidyPart} ${formatFen(Math.abs(row.subsidyAmount ?? 0))}`}
            />
            <Row
              label={strings.bills.refundState}
              value={
                row.refundedAmount
                  ? strings.bills.refunded(formatFen(row.refundedAmount))
                  : strings.bills.notRefunded
              }
            />
            <Row label={strings.bills.id} value={row.id} />
          </View>
        ) : null}
      </StateView>
    </View>
  );
}
