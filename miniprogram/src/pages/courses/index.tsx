import { Text, Video, View } from '@tarojs/components';
import { useRef, useState } from 'react';
import { StateView } from '../../components/StateView.tsx';
import { useRemote } from '../../components/use-remote.ts';
import { api } from '../../services/api.ts';
import { getCourse, listCourses, saveProgress } from '../../services/campus.ts';
import type { Course } from '../../services/types.ts';
import { strings } from '../../strings.ts';

/** Save the playing position at most this often, and on pause. */
const progressSaveIntervalMs = 10_000;

function minutesSeconds(seconds: number): string {
  const whole = Math.floor(seconds);
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, '0')}`;
}

export default function CoursesPage() {
  const remote = useRemote(() => listCourses(api), []);
  const [course, setCourse] = useState<Course>();
  const [lessonId, setLessonId] = useState<string>();
  const lastSavedAtMs = useRef(0);
  const courses = remote.data?.items ?? [];
  const lesson = course?.lessons?.find((each) => each.id === lessonId);

  function save(seconds: number, force: boolean) {
    if (!course || !lesson) return;
    const now = Date.now();
    if (!force && now - lastSavedAtMs.current < progressSaveIntervalMs) return;
    lastSavedAtMs.current = now;
    void saveProgress(api, lesson.id, seconds).catch(() => {});
  }

  return (
    <View className="page page-courses">
      <StateView
        loading={remote.loading}
        error={remote.error}
        empty={courses.length === 0}
        onRetry={remote.reload}
      >
        {lesson ? (
          <View className="section">
            <Text className="section-title">{lesson.title}</Text>
            <Video
              src={lesson.videoUrl}
              initialTime={lesson.progress?.positionSeconds ?? 0}
              style={{ width: '100%' }}
              onTimeUpdate={(event) => save(event.detail.currentTime, false)}
              onPause={(event) => save((event.detail as { currentTime?: number }).currentTime ?? 0, true)}
            />
          </View>
        ) : null}
        <View className="list">
          {courses.map((each) => (
            <View
              key={each.id}
              className="row"
              onClick={async () => setCourse(await getCourse(api, each.id).catch(() => each))}
            >
              <View className="row-main">
                <Text className="row-title">{each.title}</Text>
                <Text className="row-sub">{each.teacher ?? ''}</Text>
                {course?.id === each.id
                  ? (course.lessons ?? []).map((item) => (
                      <Text key={item.id} className="text-block" onClick={() => setLessonId(item.id)}>
                        {`▶ ${item.title}${item.progress?.positionSeconds ? ` · ${strings.courses.resume(minutesSeconds(item.progress.positionSeconds))}` : ''}`}
                      </Text>
                    ))
                  : null}
              </View>
            </View>
          ))}
        </View>
      </StateView>
    </View>
  );
}
