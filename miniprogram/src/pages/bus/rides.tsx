// My bus rides (乘车记录), newest first, a page at a time: the route and its ends, the run's departure and
// when I got on (Asia/Shanghai), how (booked seat, free ride, or the fare paid), and whether the reader
// was offline and uploaded the ride at the depot.
import { formatMinute } from '@campus-card/core/time';
import { Button, Text, View } from '@tarojs/components';
import { useCallback, useEffect, useState } from 'react';
import { busStrings as words } from '../../bus-strings.ts';
import { StateView } from '../../components/StateView.tsx';
import { messageOf } from '../../components/use-remote.ts';
import { formatFen } from '../../lib/money.ts';
import { api } from '../../services/api.ts';
import { type BusRideOfCard, myBusRides } from '../../services/bus.ts';

export function BusRides() {
  const [rows, setRows] = useState<BusRideOfCard[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string>();

  const load = useCallback(async (cursor?: string) => {
    setLoading(cursor === undefined);
    setError(undefined);
    try {
      const page = await myBusRides(api, cursor);
      setRows((previous) => (cursor === undefined ? page.items : [...previous, ...page.items]));
      setNext(page.next);
    } catch (caught) {
      setError(messageOf(caught));
    } finally {
      setLoading(false);
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  return (
    <View className="bus-rides">
      <Text className="form-label">{words.rides}</Text>
      <StateView
        loading={loading}
        error={error}
        empty={rows.length === 0}
        emptyText={words.noRides}
        onRetry={() => void load()}
      >
        <View className="list">
          {rows.map((ride) => (
            <View key={`${ride.occurredAtMs}-${ride.runId}`} className="row bus-ride">
              <View className="row-main">
                <Text className="row-title">
                  {ride.routeName} {words.ridePath(ride.fromStop, ride.toStop)}
                </Text>
                <Text className="row-sub">{words.departs(formatMinute(ride.departsAtMs))}</Text>
                <Text className="row-sub">
                  {words.boarded(formatMinute(ride.occurredAtMs))}
                  {ride.source === 'offline' ? ` · ${words.offline}` : ''}
                </Text>
              </View>
              <Text className={ride.kind === 'fare' ? 'amount-out' : 'row-sub'}>
                {ride.kind === 'fare'
                  ? `${words.rideKind.fare} -${formatFen(ride.amountFen)}`
                  : (words.rideKind[ride.kind] ?? '')}
              </Text>
            </View>
          ))}
        </View>
        {next !== null ? (
          <Button className="btn btn-plain" onClick={() => void load(next)}>
            {words.loadMore}
          </Button>
        ) : null}
      </StateView>
    </View>
  );
}
