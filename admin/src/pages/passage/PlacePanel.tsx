import type { DoorCommand, Place } from '@campus-card/core/contract';
import { Alert, Button, Card, Input, InputNumber, Modal, Select, Space, Table, Tag } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { api } from '../../api.ts';
import { describeError, passageText as t } from '../../strings.ts';

const enc = encodeURIComponent;

/** Who can pass one door now, and its remote commands (reason required, confirmed, audited by the BFF). */
export function PlacePanel({ place, command }: { place: Place; command: boolean }) {
  const [who, setWho] = useState<{ personNo: string; late: boolean }[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [kind, setKind] = useState<DoorCommand['command']>(place.kind === 'door' ? 'open' : 'emergency_open');
  const [minutes, setMinutes] = useState<number | null>(30);
  const [reason, setReason] = useState('');
  const load = useCallback(async () => {
    if (place.kind !== 'door') return;
    try {
      setWho(
        (
          await api<{ items: { personNo: string; late: boolean }[] }>(
            'GET',
            `/passage/doors/${enc(place.id)}/who`,
          )
        ).items,
      );
    } catch (e) {
      setError(describeError(e));
    }
  }, [place]);
  useEffect(() => {
    setWho(null);
    setNote(null);
    setError(null);
    setKind(place.kind === 'door' ? 'open' : 'emergency_open');
    void load();
  }, [load, place]);
  const kinds: DoorCommand['command'][] =
    place.kind === 'door' ? ['open', 'hold_open', 'close'] : ['emergency_open', 'emergency_end'];

  function send() {
    setError(null);
    if (reason.trim().length < 2) return setError(t.reasonNeeded);
    if (kind === 'hold_open' && (!minutes || minutes < 1 || minutes > 720)) return setError(t.minutesNeeded);
    const body: DoorCommand = {
      command: kind,
      reason: reason.trim(),
      ...(kind === 'hold_open' ? { seconds: Math.round((minutes ?? 0) * 60) } : {}),
    };
    const what = kind === 'hold_open' ? `${t.commands[kind]} ${minutes} 分钟` : (t.commands[kind] ?? '');
    Modal.confirm({
      title: t.command,
      content: t.confirmCommand(what, place.name, body.reason),
      okText: '确定',
      cancelText: t.cancel,
      onOk: async () => {
        try {
          const order = await api<{ deviceIds: string[] }>(
            'POST',
            `/passage/places/${enc(place.id)}/commands`,
            body,
          );
          setNote(t.commandDone(what, order.deviceIds.length));
          setReason('');
        } catch (e) {
          setError(describeError(e));
        }
      },
    });
  }

  return (
    <Card title={`${t.placeKind[place.kind]}：${place.name}`} id="passage-place">
      {error ? <Alert type="error" message={error} showIcon /> : null}
      {note ? <Alert type="success" message={note} showIcon /> : null}
      {command ? (
        <Space wrap style={{ margin: '8px 0' }}>
          <Select
            id="passage-command"
            value={kind}
            style={{ width: 140 }}
            onChange={setKind}
            options={kinds.map((k) => ({ value: k, label: t.commands[k] }))}
          />
          {kind === 'hold_open' ? (
            <InputNumber min={1} max={720} value={minutes} onChange={setMinutes} addonAfter="分钟" />
          ) : null}
          <Input
            id="passage-reason"
            placeholder={t.reason}
            value={reason}
            maxLength={200}
            style={{ width: 260 }}
            onChange={(e) => setReason(e.target.value)}
          />
          <Button danger onClick={send}>
            {t.command}
          </Button>
        </Space>
      ) : null}
      {place.kind === 'door' ? (
        <Table
          id="passage-who"
          title={() => (
            <Space>
              {t.whoNow}
              <Button size="small" onClick={() => void load()}>
                {t.refresh}
              </Button>
            </Space>
          )}
          rowKey="personNo"
          size="small"
          pagination={{ pageSize: 20 }}
          locale={{ emptyText: t.whoNone }}
          dataSource={who ?? []}
          loading={who === null}
          columns={[
            { title: t.personNo, dataIndex: 'personNo' },
            {
              title: t.late,
              dataIndex: 'late',
              render: (late: boolean) => (late ? <Tag color="orange">{t.lateYes}</Tag> : '—'),
            },
          ]}
        />
      ) : null}
    </Card>
  );
}
