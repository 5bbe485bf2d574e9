import { Card, Tabs } from 'antd';
import type { Me } from '../api.ts';
import { contentText as t } from '../strings.ts';
import { CoursesTab } from './ContentCourses.tsx';
import { NewsTab } from './ContentNews.tsx';

/** News and courses: publish (now or scheduled), withdraw; create courses and add their lessons. */
export function ContentPage({ me }: { me: Me }) {
  const manage = me.rights.includes('content.manage');
  return (
    <Card title={t.title}>
      <Tabs
        items={[
          { key: 'news', label: t.news, children: <NewsTab manage={manage} /> },
          { key: 'courses', label: t.courses, children: <CoursesTab manage={manage} /> },
        ]}
      />
    </Card>
  );
}
