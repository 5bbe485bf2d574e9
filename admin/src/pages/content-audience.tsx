import type { Course as CoreCourse, Lesson } from '@campus-card/core/contract';
import { Form, Input, Select } from 'antd';
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

/** The audience picker shared by news and courses: a type, and a department or class when needed. */
export function AudienceFields() {
  return (
    <>
      <Form.Item
        label={t.audience}
        name={['audience', 'type']}
        initialValue="all"
        rules={[{ required: true }]}
      >
        <Select options={Object.entries(t.audienceType).map(([value, label]) => ({ value, label }))} />
      </Form.Item>
      <Form.Item noStyle shouldUpdate={(a, b) => a.audience?.type !== b.audience?.type}>
        {({ getFieldValue }) =>
          ['department', 'class'].includes(getFieldValue(['audience', 'type'])) ? (
            <Form.Item
              label={t.audienceValue}
              name={['audience', 'value']}
              rules={[{ required: true, whitespace: true }]}
            >
              <Input maxLength={64} />
            </Form.Item>
          ) : null
        }
      </Form.Item>
    </>
  );
}

export const audienceOf = (a: Audience): Audience =>
  a.type === 'department' || a.type === 'class'
    ? { type: a.type, value: (a.value ?? '').trim() }
    : { type: a.type };
