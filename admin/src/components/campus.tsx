import type { Campus } from '@campus-card/core/contract';
import { Alert, Form, Select, Space } from 'antd';
import { type ReactNode, useEffect, useState } from 'react';
import { api, type Me } from '../api.ts';
import { campusText as t } from '../strings.ts';

// The 校区 picker and names (docs/campuses.md). A campus-scoped admin's pages are narrowed by the API;
// the picker then shows their campus alone and cannot be changed.

export interface Campuses {
  items: Campus[];
  /** The signed-in admin's campus; null: the whole centre. */
  mine: string | null;
}

/** The campuses, read once per page. */
export function useCampuses(): Campuses {
  const [campuses, setCampuses] = useState<Campuses>({ items: [], mine: null });
  useEffect(() => {
    api<Campuses>('GET', '/campuses').then(setCampuses, () => undefined);
  }, []);
  return campuses;
}

/** A campus id as its name; null is the whole centre. */
export function campusName(campuses: Campuses, id: string | null | undefined): string {
  if (id === null || id === undefined) return t.centreWide;
  return campuses.items.find((c) => c.id === id)?.name ?? id;
}

/**
 * Picks a campus to narrow a page to ('' for every campus), or, with `forNew`, the campus of a new
 * merchant or device ('' for centre-wide). A campus admin gets their own campus, fixed.
 */
export function CampusPicker({
  campuses,
  value,
  onChange,
  forNew = false,
  testId,
}: {
  campuses: Campuses;
  value: string;
  onChange: (campusId: string) => void;
  forNew?: boolean;
  testId?: string;
}) {
  const fixed = campuses.mine !== null;
  const options = [
    ...(fixed ? [] : [{ value: '', label: forNew ? t.centreWide : t.allCampuses }]),
    ...campuses.items
      .filter((c) => !fixed || c.id === campuses.mine)
      .map((c) => ({ value: c.id, label: c.name })),
  ];
  return (
    <Select
      style={{ width: 140 }}
      aria-label={t.campus}
      value={fixed ? (campuses.mine as string) : value}
      disabled={fixed}
      onChange={onChange}
      options={options}
      data-testid={testId}
    />
  );
}

/** Says a campus admin's page shows only their campus. */
export function CampusScopeNote({ me, campuses }: { me: Me; campuses: Campuses }) {
  if (!me.campusId) return null;
  return (
    <Alert
      type="info"
      showIcon
      message={t.scopeNote(campusName(campuses, me.campusId))}
      style={{ marginBottom: 12 }}
    />
  );
}

/** A page narrowed to a picked campus ('' for every campus): the campuses, the pick, and the row test. */
export function useCampusFilter() {
  const campuses = useCampuses();
  const [campus, setCampus] = useState('');
  const inCampus = (campusId: string | null | undefined) => !campus || campusId === campus;
  return { campuses, campus, setCampus, inCampus };
}

/** A page card's corner: its 校区 picker, then the page's own controls. */
export function CampusExtra({
  filter,
  testId,
  children,
}: {
  filter: Pick<ReturnType<typeof useCampusFilter>, 'campuses' | 'campus' | 'setCampus'>;
  testId: string;
  children?: ReactNode;
}) {
  return (
    <Space>
      <CampusPicker
        campuses={filter.campuses}
        value={filter.campus}
        onChange={filter.setCampus}
        testId={testId}
      />
      {children}
    </Space>
  );
}

/**
 * The campus of a new merchant or device: what its dialog's field shows, and the campus to send. A
 * campus admin's is their own campus whatever the field says (the API refuses any other).
 */
export function useNewCampus(campuses: Campuses) {
  const [picked, setPicked] = useState('');
  return {
    campusId: campuses.mine ?? (picked || null),
    field: { campuses, value: picked, onChange: setPicked },
  };
}

/** The 校区 field of a new merchant's or device's dialog ('' for centre-wide). */
export function NewCampusField({
  field,
  testId,
}: {
  field: ReturnType<typeof useNewCampus>['field'];
  testId: string;
}) {
  return (
    <Form.Item label={t.campus}>
      <CampusPicker {...field} forNew testId={testId} />
    </Form.Item>
  );
}
