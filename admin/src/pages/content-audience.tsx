import type { AudienceOptions, Course as CoreCourse, Lesson } from '@campus-card/core/contract';
import { Form, Select } from 'antd';
import { useEffect, useState } from 'react';
import { api } from '../api.ts';
import { type Campuses, campusName, useCampuses } from '../components/campus.tsx';
import { contentText as t } from '../strings.ts';

// What news and courses share on the content page: their shapes and the audience picker.

export interface Audience {
  type: 'all' | 'students' | 'staff' | 'department' | 'class' | 'grade' | 'campus';
  value?: string;
}

export type { Lesson, NewsItem as News } from '@campus-card/core/contract';
/** A course as the editor lists it, with its lessons. */
export type Course = CoreCourse & { lessons: Lesson[] };

/** One value of a narrow kind as people say it: 2024级, a campus's name, a department or class as it is. */
const valueName = (type: Audience['type'] | undefined, value: string, campuses: Campuses) =>
  type === 'grade' ? t.gradeName(value) : type === 'campus' ? campusName(campuses, value) : value;

export const audienceLabel = (a: Audience, campuses: Campuses) =>
  a.value ? `${t.audienceType[a.type]}：${valueName(a.type, a.value, campuses)}` : t.audienceType[a.type];

/** The kinds that name one department, class, grade or campus, with their picker's words and choices. */
const narrowKinds = {
  department: { label: t.audienceDepartment, pick: t.pickDepartment, choices: 'departments' },
  class: { label: t.audienceClass, pick: t.pickClass, choices: 'classes' },
  grade: { label: t.audienceGrade, pick: t.pickGrade, choices: 'grades' },
  campus: { label: t.audienceCampus, pick: t.pickCampus, choices: 'campuses' },
} as const satisfies Record<string, { label: string; pick: string; choices: keyof AudienceOptions }>;
const isNarrow = (type: Audience['type'] | undefined): type is keyof typeof narrowKinds =>
  type !== undefined && type in narrowKinds;

/**
 * The audience picker shared by news and courses: a type, then a department, class, grade or campus the
 * card system knows (each with its people), and how many people the chosen audience reaches before
 * publishing. A campus admin may send to their own campus only (the API refuses any other audience), so
 * their picker offers that alone.
 */
export function AudienceFields() {
  const form = Form.useFormInstance();
  const campuses = useCampuses();
  const mine = campuses.mine;
  useEffect(() => {
    if (mine !== null) form.setFieldValue('audience', { type: 'campus', value: mine });
  }, [form, mine]);
  const type = Form.useWatch(['audience', 'type'], form) as Audience['type'] | undefined;
  const value = Form.useWatch(['audience', 'value'], form) as string | undefined;
  const [options, setOptions] = useState<AudienceOptions | null>(null);
  const [people, setPeople] = useState<number | null>(null);
  useEffect(() => {
    api<AudienceOptions>('GET', '/content/audiences').then(setOptions, () => setOptions(null));
  }, []);
  const narrowed = isNarrow(type);
  useEffect(() => {
    setPeople(null);
    if (!type || (narrowed && !value)) return;
    const query = new URLSearchParams({ type, ...(narrowed && value ? { value } : {}) });
    let current = true;
    api<{ people: number }>('GET', `/content/audience-count?${query}`).then(
      (answer) => current && setPeople(answer.people),
      () => {},
    );
    return () => {
      current = false;
    };
  }, [type, value, narrowed]);
  const kind = isNarrow(type) ? narrowKinds[type] : undefined;
  const choices = kind ? options?.[kind.choices] : [];
  return (
    <>
      <Form.Item
        label={t.audience}
        name={['audience', 'type']}
        initialValue="all"
        rules={[{ required: true }]}
      >
        <Select
          aria-label={t.audience}
          options={Object.entries(t.audienceType)
            .filter(([v]) => mine === null || v === 'campus')
            .map(([v, label]) => ({ value: v, label }))}
          onChange={() => form.setFieldValue(['audience', 'value'], undefined)}
        />
      </Form.Item>
      {kind ? (
        <Form.Item
          label={kind.label}
          name={['audience', 'value']}
          rules={[{ required: true, message: kind.pick }]}
          extra={choices && choices.length === 0 ? t.noChoices : undefined}
        >
          <Select
            aria-label={kind.label}
            showSearch
            placeholder={kind.pick}
            options={(choices ?? []).map((c) => ({
              value: c.value,
              label: `${valueName(type, c.value, campuses)}（${c.people} 人）`,
            }))}
          />
        </Form.Item>
      ) : null}
      <div data-testid="audience-count" style={{ marginBottom: 16 }}>
        {people === null ? t.audienceCounting : t.audienceReaches(people)}
      </div>
    </>
  );
}

export const audienceOf = (a: Audience): Audience =>
  isNarrow(a.type) ? { type: a.type, value: (a.value ?? '').trim() } : { type: a.type };
