import type { AudienceOptions, Course as CoreCourse, Lesson } from '@campus-card/core/contract';
import { Form, Select } from 'antd';
import { useEffect, useState } from 'react';
import { api } from '../api.ts';
import { contentText as t } from '../strings.ts';

// What news and courses share on the content page: their shapes and the audience picker.

export interface Audience {
  type: 'all' | 'students' | 'staff' | 'department' | 'class';
  value?: string;
}

export type { Lesson, NewsItem as News } from '@campus-card/core/contract';
/** A course as the editor lists it, with its lessons. */
export type Course = CoreCourse & { lessons: Lesson[] };

export const audienceLabel = (a: Audience) =>
  a.value ? `${t.audienceType[a.type]}：${a.value}` : t.audienceType[a.type];

/** The audience picker shared by news and courses: a type, then a department or class the card system
 * knows (each with its people), and how many people the chosen audience reaches before publishing. */
export function AudienceFields() {
  const form = Form.useFormInstance();
  const type = Form.useWatch(['audience', 'type'], form) as Audience['type'] | undefined;
  const value = Form.useWatch(['audience', 'value'], form) as string | undefined;
  const [options, setOptions] = useState<AudienceOptions | null>(null);
  const [people, setPeople] = useState<number | null>(null);
  useEffect(() => {
    api<AudienceOptions>('GET', '/content/audiences').then(setOptions, () => setOptions(null));
  }, []);
  const narrowed = type === 'department' || type === 'class';
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
  const choices = type === 'department' ? options?.departments : type === 'class' ? options?.classes : [];
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
          options={Object.entries(t.audienceType).map(([v, label]) => ({ value: v, label }))}
          onChange={() => form.setFieldValue(['audience', 'value'], undefined)}
        />
      </Form.Item>
      {narrowed ? (
        <Form.Item
          label={type === 'department' ? t.audienceDepartment : t.audienceClass}
          name={['audience', 'value']}
          rules={[{ required: true, message: type === 'department' ? t.pickDepartment : t.pickClass }]}
          extra={choices && choices.length === 0 ? t.noChoices : undefined}
        >
          <Select
            aria-label={type === 'department' ? t.audienceDepartment : t.audienceClass}
            showSearch
            placeholder={type === 'department' ? t.pickDepartment : t.pickClass}
            options={(choices ?? []).map((c) => ({ value: c.value, label: `${c.value}（${c.people} 人）` }))}
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
  a.type === 'department' || a.type === 'class'
    ? { type: a.type, value: (a.value ?? '').trim() }
    : { type: a.type };
