import type { Place } from '@campus-card/core/contract';
import { Button, Card, Input, Modal, Select, Space, Table } from 'antd';
import { useEffect, useState } from 'react';
import { api } from '../../api.ts';
import { Outcome } from '../../components/Outcome.tsx';
import { describeError, passageText as t } from '../../strings.ts';

type Kind = Place['kind'];
/** What may be made under each kind of place (the core enforces the same). */
const childKinds: Record<Kind, Kind[]> = {
  campus: ['area', 'building', 'door'],
  area: ['area', 'building', 'door'],
  building: ['door'],
  door: [],
};
const enc = encodeURIComponent;

/**
 * 编辑区域与门 (passage.manage): a new campus, or a place under the selected one; renaming it; and for a door,
 * the devices at it (a device moves here from any other door). Each change is confirmed and audited by the API.
 */
export function PlaceEditor({
  place,
  devices,
  onChanged,
}: {
  place: Place | undefined;
  devices: { deviceId: string; doorId: string; direction: string }[];
  onChanged: () => Promise<void>;
}) {
  const kinds = place ? childKinds[place.kind] : (['campus'] as Kind[]);
  const [kind, setKind] = useState<Kind | undefined>(kinds[0]);
  const [name, setName] = useState('');
  const [doorKind, setDoorKind] = useState('door');
  const [rename, setRename] = useState(place?.name ?? '');
  const [deviceId, setDeviceId] = useState('');
  const [direction, setDirection] = useState('in');
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  useEffect(() => {
    setKind((place ? childKinds[place.kind] : (['campus'] as Kind[]))[0]);
    setRename(place?.name ?? '');
    setError(null);
    setNote(null);
  }, [place]);

  const run = (title: string, content: string, action: () => Promise<unknown>, done: string) =>
    Modal.confirm({
      title,
      content,
      okText: t.confirm,
      cancelText: t.cancel,
      onOk: async () => {
        try {
          await action();
          setNote(done);
          await onChanged();
        } catch (e) {
          setError(describeError(e));
        }
      },
    });

  function add() {
    if (!kind) return;
    const trimmed = name.trim();
    if (!trimmed) return setError(t.nameNeeded);
    const body = {
      kind,
      parentId: place?.id ?? null,
      name: trimmed,
      ...(kind === 'door' ? { doorKind } : {}),
    };
    run(
      t.addPlace,
      t.confirmAdd(t.placeKind[kind] ?? '', trimmed, place?.name ?? null),
      () => api('POST', '/passage/places', body),
      t.added(trimmed),
    );
    setName('');
  }

  const atDoor = place?.kind === 'door' ? devices.filter((d) => d.doorId === place.id) : [];
  return (
    <Card title={t.editPlaces} id="place-editor" size="small">
      <Space direction="vertical" style={{ width: '100%' }}>
        <Outcome
          error={error}
          note={note}
          onClose={() => {
            setError(null);
            setNote(null);
          }}
        />
        {kinds.length > 0 ? (
          <Space wrap>
            <Select
              aria-label={t.newKind}
              style={{ width: 100 }}
              value={kind}
              onChange={(v: Kind) => setKind(v)}
              options={kinds.map((k) => ({ value: k, label: t.placeKind[k] }))}
            />
            {kind === 'door' ? (
              <Select
                aria-label={t.doorKindLabel}
                style={{ width: 100 }}
                value={doorKind}
                onChange={setDoorKind}
                options={Object.entries(t.doorKind).map(([value, label]) => ({ value, label }))}
              />
            ) : null}
            <Input
              id="place-new-name"
              aria-label={t.placeName}
              placeholder={t.placeName}
              maxLength={64}
              style={{ width: 200 }}
              value={name}
              onChange={(e) => setName(e.target.value)}
            />
            <Button id="place-add" onClick={add}>
              {place ? t.addUnder(place.name) : t.addCampus}
            </Button>
          </Space>
        ) : null}
        {place ? (
          <Space wrap>
            <Input
              id="place-rename"
              aria-label={t.placeName}
              maxLength={64}
              style={{ width: 200 }}
              value={rename}
              onChange={(e) => setRename(e.target.value)}
            />
            <Button
              id="place-rename-save"
              disabled={!rename.trim() || rename.trim() === place.name}
              onClick={() =>
                run(
                  t.renamePlace,
                  t.confirmRename(place.name, rename.trim()),
                  () => api('PATCH', `/passage/places/${enc(place.id)}`, { name: rename.trim() }),
                  t.renamed(rename.trim()),
                )
              }
            >
              {t.renamePlace}
            </Button>
          </Space>
        ) : null}
        {place?.kind === 'door' ? (
          <>
            <Table
              size="small"
              rowKey="deviceId"
              pagination={false}
              dataSource={atDoor}
              locale={{ emptyText: t.noDevices }}
              columns={[
                { title: t.deviceId, dataIndex: 'deviceId' },
                { title: t.directionLabel, render: (_, d) => t.direction[d.direction] ?? '' },
                {
                  title: t.actions,
                  render: (_, d) => (
                    <Button
                      size="small"
                      danger
                      onClick={() =>
                        run(
                          t.unbind,
                          t.confirmUnbind(d.deviceId, place.name),
                          () => api('DELETE', `/passage/devices/${enc(d.deviceId)}`),
                          t.unbound(d.deviceId),
                        )
                      }
                    >
                      {t.unbind}
                    </Button>
                  ),
                },
              ]}
            />
            <Space wrap>
              <Input
                id="door-device-id"
                aria-label={t.deviceId}
                placeholder={t.deviceId}
                style={{ width: 140 }}
                value={deviceId}
                onChange={(e) => setDeviceId(e.target.value)}
              />
              <Select
                aria-label={t.directionLabel}
                style={{ width: 110 }}
                value={direction}
                onChange={setDirection}
                options={Object.entries(t.direction).map(([value, label]) => ({ value, label }))}
              />
              <Button
                id="door-device-bind"
                disabled={!/^\d{1,10}$/.test(deviceId.trim())}
                onClick={() =>
                  run(
                    t.bind,
                    t.confirmBind(deviceId.trim(), place.name),
                    () =>
                      api('PUT', `/passage/doors/${enc(place.id)}/devices`, {
                        deviceId: deviceId.trim(),
                        direction,
                      }),
                    t.bound(deviceId.trim()),
                  )
                }
              >
                {t.bind}
              </Button>
            </Space>
          </>
        ) : null}
      </Space>
    </Card>
  );
}
