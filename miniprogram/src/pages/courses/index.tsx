import { Button, Text, Video, View } from '@tarojs/components';
import { useDidHide } from '@tarojs/taro';
import { useEffect, useRef, useState } from 'react';
import { StateView } from '../../components/StateView.tsx';
import { useRemote } from '../../components/use-remote.ts';
import { lessonWords } from '../../labels.ts';
import { api } from '../../services/api.ts';
import { getCourse, listCourses, saveProgress } from '../../services/campus.ts';
import type { Course, Lesson } from '../../services/types.ts';
import { strings } from '../../strings.ts';

/** Save the playing position at most this often, and on pause, on leaving and on switching lessons. */
const progressSaveIntervalMs = 10_000;

function minutesSeconds(seconds: number): string {
  const whole = Math.floor(seconds);
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, '0')}`;
}

/** The playing time an event carries, if any: H5's pause and ended events carry no detail at all. */
function currentTimeOf(event: { detail?: unknown }): number | undefined {
  const detail = event.detail as { currentTime?: unknown } | null | undefined;
  const time = detail?.currentTime;
  return typeof time === 'number' && Number.isFinite(time) && time >= 0 ? time : undefined;
}

/**
 * One lesson's player, inline with a way back. The position it reached is kept from the time
 * updates (a pause event may carry none) and saved on pause, on leaving and every few seconds. A
 * video that cannot be loaded (a missing file, a dead link, no network) shows why, with retry and back.
 */
function Player({ lesson, onClose }: { readonly lesson: Lesson; readonly onClose: () => void }) {
  const [failed, setFailed] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const positionSeconds = useRef(lesson.progress?.positionSeconds ?? 0);
  const savedSeconds = useRef(positionSeconds.current);
  const lastSavedAtMs = useRef(Date.now());

  const save = (force: boolean) => {
    const seconds = Math.floor(positionSeconds.current);
    const now = Date.now();
    if (seconds === savedSeconds.current) return;
    if (!force && now - lastSavedAtMs.current < progressSaveIntervalMs) return;
    savedSeconds.current = seconds;
    lastSavedAtMs.current = now;
    void saveProgress(api, lesson.id, seconds).catch(() => {});
  };
  const saveRef = useRef(save);
  saveRef.current = save;
  // Leaving the lesson (back, another lesson, another page) saves where it stopped.
  useEffect(() => () => saveRef.current(true), []);
  useDidHide(() => saveRef.current(true));

  return (
    <View className="section player" id="player">
      <Text className="section-title">{lesson.title}</Text>
      {failed ? (
        <View className="state state-error" id="video-error">
          <Text className="state-text">{lessonWords.videoFailed}</Text>
          <Button
            className="btn btn-plain"
            id="video-retry"
            onClick={() => {
              setFailed(false);
              setAttempt((n) => n + 1);
            }}
          >
            {strings.common.retry}
          </Button>
        </View>
      ) : (
        <Video
          key={attempt}
          id="lesson-video"
          src={lesson.videoUrl}
          initialTime={positionSeconds.current}
          showFullscreenBtn
          style={{ width: '100%', height: '210px', background: '#000' }}
          onTimeUpdate={(event) => {
            const time = currentTimeOf(event);
            if (time === undefined) return;
            positionSeconds.current = time;
            save(false);
          }}
          onPause={(event) => {
            positionSeconds.current = currentTimeOf(event) ?? positionSeconds.current;
            save(true);
          }}
          onEnded={() => save(true)}
          onError={() => {
            save(true);
            setFailed(true);
          }}
        />
      )}
      <Button className="btn btn-plain" id="player-back" onClick={onClose}>
        {lessonWords.backToList}
      </Button>
    </View>
  );
}

export default function CoursesPage() {
  const remote = useRemote(() => listCourses(api), []);
  const [course, setCourse] = useState<Course>();
  const [lessonId, setLessonId] = useState<string>();
  const courses = remote.data?.items ?? [];
  const lesson = course?.lessons?.find((each) => each.id === lessonId);

  /** Reads the course again on closing a lesson, so its list shows where each lesson was left. */
  const closeLesson = () => {
    setLessonId(undefined);
    if (course) void getCourse(api, course.id).then(setCourse, () => {});
  };

  return (
    <View className="page page-courses">
      <StateView
        loading={remote.loading}
        error={remote.error}
        empty={courses.length === 0}
        onRetry={remote.reload}
      >
        {lesson ? <Player key={lesson.id} lesson={lesson} onClose={closeLesson} /> : null}
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
                      <Text
                        key={item.id}
                        className="text-block lesson"
                        onClick={(event) => {
                          event.stopPropagation();
                          setLessonId(item.id);
                        }}
                      >
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
