import { Text, View } from '@tarojs/components';
import { useRouter } from '@tarojs/taro';
import { StateView } from '../../components/StateView.tsx';
import { useRemote } from '../../components/use-remote.ts';
import {
  billWords,
  deviceKindLabels,
  holdStatusLabels,
  labelOf,
  topUpChannelLabels,
  transactionKindLabels,
} from '../../labels.ts';
import { formatFen } from '../../lib/money.ts';
import { formatFullTime } from '../../lib/month.ts';
import { routeParam } from '../../lib/route.ts';
import { signedAmount, transactionTitle } from '../../lib/transactions.ts';
import { api } from '../../services/api.ts';
import { getTransaction } from '../../services/transactions.ts';
import type { Transaction } from '../../services/types.ts';
import { strings } from '../../strings.ts';
import { DisputeSection } from './dispute.tsx';

function Row({ label, value, id }: { readonly label: string; readonly value: string; readonly id?: string }) {
  return (
    <View className="kv" id={id}>
      <Text className="kv-key">{label}</Text>
      <Text>{value}</Text>
    </View>
  );
}

/** Kinds that take money off the card for something bought: where, on what, from which wallet, refunds. */
const spendingKinds: ReadonlySet<string> = new Set(['payment', 'post', 'expire']);

/**
 * The rows a kind has: a top-up its channel and the wallet it went into, never a merchant or a
 * device; spending its merchant, the kind of terminal (never an id) and the wallets it came from; a
 * hold or its settlement what was held, charged and released. No internal id is shown.
 */
function DetailRows({ row }: { readonly row: Transaction }) {
  const device = labelOf(deviceKindLabels, row.deviceKind);
  const spending = spendingKinds.has(row.kind);
  return (
    <>
      <Row id="bill-kind" label={billWords.kind} value={labelOf(transactionKindLabels, row.kind, '其他')} />
      <Row label={strings.bills.time} value={formatFullTime(row.createdAtMs)} />
      {row.kind === 'top_up' ? (
        <>
          <Row
            id="bill-channel"
            label={billWords.channel}
            value={labelOf(topUpChannelLabels, row.channel, '其他方式')}
          />
          <Row label={billWords.creditedTo} value={billWords.mainWallet} />
        </>
      ) : null}
      {row.kind === 'subsidy' ? <Row label={billWords.creditedTo} value={billWords.subsidyWallet} /> : null}
      {row.kind !== 'top_up' && row.kind !== 'subsidy' && row.merchantName ? (
        <Row id="bill-merchant" label={billWords.merchant} value={row.merchantName} />
      ) : null}
      {row.kind !== 'top_up' && device ? (
        <Row id="bill-device" label={billWords.device} value={device} />
      ) : null}
      {row.hold ? (
        <>
          <Row id="bill-held" label={billWords.held} value={formatFen(row.hold.heldAmount)} />
          {row.hold.chargedAmount !== undefined ? (
            <Row label={billWords.charged} value={formatFen(row.hold.chargedAmount)} />
          ) : null}
          {row.hold.releasedAmount !== undefined ? (
            <Row id="bill-released" label={billWords.released} value={formatFen(row.hold.releasedAmount)} />
          ) : null}
          <Row label={billWords.holdState} value={labelOf(holdStatusLabels, row.hold.status)} />
        </>
      ) : null}
      {spending ? (
        <>
          <Row
            label={billWords.paidFrom}
            value={`${billWords.mainWallet} ${formatFen(Math.abs(row.mainAmount ?? 0))} · ${billWords.subsidyWallet} ${formatFen(Math.abs(row.subsidyAmount ?? 0))}`}
          />
          <Row
            label={strings.bills.refundState}
            value={
              row.refundedAmount
                ? strings.bills.refunded(formatFen(row.refundedAmount))
                : strings.bills.notRefunded
            }
          />
        </>
      ) : null}
    </>
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
            <Text className="row-sub" id="bill-title">
              {transactionTitle(row)}
            </Text>
            <Text className="big-number">{signedAmount(row).text}</Text>
            <DetailRows row={row} />
          </View>
        ) : null}
        {row?.kind === 'payment' ? <DisputeSection row={row} /> : null}
      </StateView>
    </View>
  );
}
