import type { DoorGroup, Place, Rule } from '@campus-card/core/contract';
import { Button, Card, Col, Form, Input, Modal, Row, Select, Space, Table, Tag, Tree } from 'antd';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { api, type Me } from '../../api.ts';
import { Outcome } from '../../components/Outcome.tsx';
import { describeError, passageText as t } from '../../strings.ts';
import { AccessLogCard } from './AccessLogCard.tsx';
import { PlaceEditor } from './PlaceEditor.tsx';
import { PlacePanel } from './PlacePanel.tsx';

interface PlacesAnswer {
  items: Place[];
  devices: { deviceId: string; doorId: string; direction: string }[];
  groups: DoorGroup[];
}
type Decision = {
  doorId: string;
  name: string;
  decision: { decision: string; reason: string | null; late: boolean };
};

const enc = encodeURIComponent;

/** 'HH:MM' → minutes of the day, or undefined. */
function minuteOf(text: string | undefined): number | undefined {
  const m = /^(\d{1,2}):(\d{2})$/.exec(text?.trim() ?? '');
  if (!m) return undefined;
  const minutes = Number(m[1]) * 60 + Number(m[2]);
  return Number(m[1]) <= 24 && Number(m[2]) < 60 && minutes <= 1440 ? minutes : undefined;
}

interface RuleForm {
  name: string;
  effect: 'allow' | 'deny';
  whoKind: string;
  whoValue?: string;
  whereId: string;
  from?: string;
  to?: string;
}

/**
 * 通行管理: the places tree and its doors (made, renamed and given devices with passage.manage), each door's
 * who-can-pass-now and remote commands, the rules (made and deleted, confirmed), where one person can pass
 * now, and the access log (passage.log).
 */
export function PassagePage({ me }: { me: Me }) {
  const [places, setPlaces] = useState<PlacesAnswer | null>(null);
  const [rules, setRules] = useState<Rule[]>([]);
  const [selected, setSelected] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [person, setPerson] = useState('');
  const [where, setWhere] = useState<Decision[] | null>(null);
  const [form] = Form.useForm<RuleForm>();
  const whoKind = Form.useWatch('whoKind', form);
  const manage = me.rights.includes('passage.manage');
  const command = me.rights.includes('passage.command');
  const log = me.rights.includes('passage.log');

  const load = useCallback(async () => {
    try {
      const [p, r] = await Promise.all([
        api<PlacesAnswer>('GET', '/passage/places'),
        api<{ items: Rule[] }>('GET', '/passage/rules'),
      ]);
      setPlaces(p);
      setRules(r.items);
    } catch (e) {
      setError(describeError(e));
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  const byId = useMemo(() => new Map((places?.items ?? []).map((p) => [p.id, p])), [places]);
  const tree = useMemo(() => {
    type Node = { key: string; title: string; children: Node[] };
    const items = places?.items ?? [];
    const node = (p: Place): Node => {
      const devices = (places?.devices ?? []).filter((d) => d.doorId === p.id);
      const label =
        p.kind === 'door'
          ? `${p.name}（${t.doorKind[p.doorKind ?? 'door']}，${t.devices(devices.length)}）`
          : `${p.name}（${t.placeKind[p.kind]}）`;
      return { key: p.id, title: label, children: items.filter((c) => c.parentId === p.id).map(node) };
    };
    return items.filter((p) => p.parentId === null).map(node);
  }, [places]);
  const selectedPlace = selected ? byId.get(selected) : undefined;
  const placeName = (kind: string, id: string) =>
    kind === 'door_group'
      ? (places?.groups.find((g) => g.id === id)?.name ?? id)
      : (byId.get(id)?.name ?? id);

  function submit(values: RuleForm) {
    setError(null);
    const target = byId.get(values.whereId);
    if (!target) return;
    let windows: { weekdays: number[]; fromMinute: number; toMinute: number }[] = [];
    if (values.from?.trim() || values.to?.trim()) {
      const from = minuteOf(values.from);
      const to = minuteOf(values.to);
      if (from === undefined || to === undefined || from >= to || from > 1439) return setError(t.badTime);
      windows = [{ weekdays: [0, 1, 2, 3, 4, 5, 6], fromMinute: from, toMinute: to }];
    }
    const body = {
      name: values.name.trim(),
      effect: values.effect,
      who: {
        kind: values.whoKind,
        value: values.whoKind === 'everyone' ? null : (values.whoValue?.trim() ?? ''),
      },
      where: { kind: target.kind, id: target.id },
      windows,
    };
    Modal.confirm({
      title: t.newRule,
      content: t.confirmCreate(body.name),
      okText: t.create,
      cancelText: t.cancel,
      onOk: async () => {
        try {
          const made = await api<Rule>('POST', '/passage/rules', body);
          setNote(t.created(made.name));
          setCreating(false);
          form.resetFields();
          await load();
        } catch (e) {
          setError(describeError(e));
        }
      },
    });
  }

  function remove(rule: Rule) {
    Modal.confirm({
      title: t.remove,
      content: t.confirmRemove(rule.name),
      okText: t.remove,
      okButtonProps: { danger: true },
      cancelText: t.cancel,
      onOk: async () => {
        try {
          await api('DELETE', `/passage/rules/${enc(rule.id)}`);
          setNote(t.removed(rule.name));
          await load();
        } catch (e) {
          setError(describeError(e));
        }
      },
    });
  }

  async function lookUp() {
    try {
      setWhere(
        (await api<{ items: Decision[] }>('GET', `/passage/persons/${enc(person.trim())}/where`)).items,
      );
    } catch (e) {
      setError(describeError(e));
    }
  }

  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Outcome
        error={error}
        note={note}
        onClose={() => {
          setError(null);
          setNote(null);
        }}
      />
      <Row gutter={16}>
        <Col span={9}>
          <Card title={t.places} id="passage-tree">
            {tree.length === 0 ? (
              t.noPlaces
            ) : (
              <Tree
                defaultExpandAll
                treeData={tree}
                selectedKeys={selected ? [selected] : []}
                onSelect={(keys) => setSelected((keys[0] as string | undefined) ?? null)}
              />
            )}
          </Card>
        </Col>
        <Col span={15}>
          <Space direction="vertical" style={{ width: '100%' }}>
            {selectedPlace ? (
              <PlacePanel place={selectedPlace} command={command} />
            ) : (
              <Card>{t.pickDoor}</Card>
            )}
            {manage ? (
              <PlaceEditor place={selectedPlace} devices={places?.devices ?? []} onChanged={load} />
            ) : null}
          </Space>
        </Col>
      </Row>
      <Card
        title={t.rules}
        extra={
          manage ? (
            <Button id="passage-rule-new" type="primary" onClick={() => setCreating((c) => !c)}>
              {t.newRule}
            </Button>
          ) : null
        }
      >
        {creating ? (
          <Form
            form={form}
            layout="inline"
            initialValues={{ effect: 'allow', whoKind: 'person' }}
            onFinish={submit}
            style={{ marginBottom: 16, rowGap: 8 }}
          >
            <Form.Item name="name" label={t.ruleName} rules={[{ required: true, whitespace: true, max: 64 }]}>
              <Input id="passage-rule-name" />
            </Form.Item>
            <Form.Item name="effect" label={t.effect}>
              <Select
                style={{ width: 90 }}
                options={['allow', 'deny'].map((v) => ({ value: v, label: t.effects[v] }))}
              />
            </Form.Item>
            <Form.Item name="whoKind" label={t.who}>
              <Select
                style={{ width: 140 }}
                options={Object.keys(t.whoKinds).map((v) => ({ value: v, label: t.whoKinds[v] }))}
              />
            </Form.Item>
            {whoKind !== 'everyone' ? (
              <Form.Item
                name="whoValue"
                label={t.whoValue}
                rules={[{ required: true, whitespace: true, max: 64 }]}
              >
                {whoKind === 'person_type' ? (
                  <Select
                    style={{ width: 110 }}
                    options={Object.keys(t.personTypes).map((v) => ({ value: v, label: t.personTypes[v] }))}
                  />
                ) : (
                  <Input id="passage-rule-who" />
                )}
              </Form.Item>
            ) : null}
            <Form.Item name="whereId" label={t.where} rules={[{ required: true, message: t.wherePick }]}>
              <Select
                id="passage-rule-where"
                showSearch
                optionFilterProp="label"
                style={{ width: 220 }}
                options={(places?.items ?? []).map((p) => ({
                  value: p.id,
                  label: `${p.name}（${t.placeKind[p.kind]}）`,
                }))}
              />
            </Form.Item>
            <Form.Item name="from" label={t.from}>
              <Input style={{ width: 80 }} placeholder="07:00" />
            </Form.Item>
            <Form.Item name="to" label={t.to}>
              <Input style={{ width: 80 }} placeholder="23:00" />
            </Form.Item>
            <Form.Item>
              <Button htmlType="submit" type="primary">
                {t.create}
              </Button>
            </Form.Item>
          </Form>
        ) : null}
        <Table
          id="passage-rules"
          rowKey="id"
          size="small"
          pagination={{ pageSize: 20 }}
          locale={{ emptyText: t.noRules }}
          dataSource={rules}
          columns={[
            { title: t.ruleName, dataIndex: 'name' },
            {
              title: t.effect,
              dataIndex: 'effect',
              render: (e: string) => <Tag color={e === 'allow' ? 'green' : 'red'}>{t.effects[e]}</Tag>,
            },
            {
              title: t.who,
              render: (_: unknown, r: Rule) =>
                r.who.kind === 'person_type'
                  ? `${t.whoKinds[r.who.kind]}：${t.personTypes[r.who.value ?? ''] ?? ''}`
                  : `${t.whoKinds[r.who.kind]}${r.who.value ? `：${r.who.value}` : ''}`,
            },
            { title: t.where, render: (_: unknown, r: Rule) => placeName(r.where.kind, r.where.id) },
            {
              title: t.when,
              render: (_: unknown, r: Rule) =>
                r.windows.length === 0
                  ? t.allDay
                  : r.windows
                      .map((w) => {
                        const hm = (m: number) =>
                          `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
                        return `${hm(w.fromMinute)}–${hm(w.toMinute)}`;
                      })
                      .join('，'),
            },
            { title: t.createdBy, dataIndex: 'createdBy' },
            ...(manage
              ? [
                  {
                    title: '',
                    render: (_: unknown, r: Rule) => (
                      <Button size="small" danger onClick={() => remove(r)}>
                        {t.remove}
                      </Button>
                    ),
                  },
                ]
              : []),
          ]}
        />
      </Card>
      <Card title={t.whereCan}>
        <Space style={{ marginBottom: 8 }}>
          <Input
            id="passage-person"
            placeholder={t.personNo}
            value={person}
            onChange={(e) => setPerson(e.target.value)}
            onPressEnter={() => void lookUp()}
          />
          <Button onClick={() => void lookUp()} disabled={!person.trim()}>
            {t.lookUp}
          </Button>
        </Space>
        {where ? (
          <Table
            rowKey="doorId"
            size="small"
            pagination={false}
            locale={{ emptyText: t.whereNone }}
            dataSource={where}
            columns={[
              { title: t.where, dataIndex: 'name' },
              {
                title: t.decision.allow,
                render: (_: unknown, d: Decision) =>
                  d.decision.decision === 'allow' ? (
                    <Tag color="green">{d.decision.late ? t.lateYes : t.decision.allow}</Tag>
                  ) : (
                    <Tag color="red">
                      {(d.decision.reason && t.reasons[d.decision.reason]) || t.decision.deny}
                    </Tag>
                  ),
              },
            ]}
          />
        ) : null}
      </Card>
      {log ? <AccessLogCard places={places?.items ?? []} /> : null}
    </Space>
  );
}
