import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dialects, startTestCore, type TestCore } from '@campus-card/tests/kit';
import { CoreError } from '../src/client/index.ts';
import { textProblem } from '../src/http/edge.ts';
import { writeXlsx } from '../src/sheets.ts';

/** The client's signed request with any path and body, as a caller that does not use its typed methods would send. */
type Call = (method: string, path: string, body?: unknown) => Promise<unknown>;

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    return error instanceof CoreError ? error.code : `other: ${String(error)}`;
  }
}

for (const dialect of dialects) {
  describe(`control characters at the core's edge (${dialect})`, () => {
    let t: TestCore;
    let call: Call;
    before(async () => {
      t = await startTestCore(dialect);
      // The composed client's shared transport (client/transport.ts) sends any path signed.
      const { wire } = t.client as unknown as { wire: { call: Call } };
      call = wire.call.bind(wire);
    });
    after(() => t.stop());

    test('#12.14 when a body string carries a NUL, a C1 control or a lone surrogate, then 400 VALIDATION_FAILED names the field and nothing is stored', async () => {
      // Goal: a NUL reached SQLite and answered 500; now every body is refused at the edge, before any route.
      for (const name of ['王\u0000小明', '王\u0085小明', '王\ud800小明', '\u001b[31m王小明']) {
        const personNo = `E${Date.now().toString(36)}${Math.floor(Math.random() * 1e6)}`;
        const error = await t.client.openCard({ personNo, name, type: 'student' }).then(
          () => undefined,
          (e: unknown) => e as CoreError,
        );
        assert.ok(error instanceof CoreError, JSON.stringify(name));
        assert.equal(error.code, 'VALIDATION_FAILED');
        assert.match(error.message, /^name: /);
        // Nothing was stored: the same person opens cleanly afterwards.
        const card = await t.client.openCard({ personNo, name: '王小明', type: 'student' });
        assert.equal(card.status, 'active');
      }
    });

    test('#12.14 when a path parameter or a query string carries a control character, then 400 VALIDATION_FAILED before any route reads it', async () => {
      // Goal: routes that read ctx.params or ctx.query themselves are covered too, and unknown query keys as well.
      assert.equal(await codeOf(call('GET', '/v1/persons/%00/notices')), 'VALIDATION_FAILED');
      assert.equal(await codeOf(call('GET', '/v1/persons/P%0A1/notices')), 'VALIDATION_FAILED');
      assert.equal(await codeOf(call('GET', '/v1/persons/P1/notices?limit=5&x=a%00b')), 'VALIDATION_FAILED');
      assert.equal(await codeOf(call('GET', '/v1/persons/P1/notices?limit=%7F')), 'VALIDATION_FAILED');
      assert.equal(
        await codeOf(call('GET', '/v1/merchants/M%C2%85/statements/2026-01-01')),
        'VALIDATION_FAILED',
      );
      assert.equal(await codeOf(call('GET', '/v1/persons/P1/notices?limit=5')), 'ok');
    });

    test('#12.14 when a lesson names a javascript:, data:, file: or other non-web URL, then adding or editing it is refused and the lesson keeps its video', async () => {
      // Goal: players and the backoffice open lesson URLs as links; only http(s) may be stored.
      const course = await t.client.createCourse({
        title: '网络安全',
        teacher: '李老师',
        audience: { type: 'all' },
      });
      const lesson = await t.client.addLesson(course.id, {
        seq: 1,
        title: '第一讲',
        video: { url: 'https://video.example.edu.cn/sec/01.mp4' },
        durationSeconds: 600,
      });
      const bad = [
        'javascript:alert(document.cookie)',
        'JavaScript:alert(1)',
        'file:///etc/passwd',
        'data:text/html,<script>alert(1)</script>',
        'ftp://video.example.edu.cn/01.mp4',
        'vbscript:msgbox(1)',
      ];
      for (const [i, url] of bad.entries()) {
        const add = t.client.addLesson(course.id, {
          seq: 10 + i,
          title: 'x',
          video: { url },
          durationSeconds: 1,
        });
        assert.equal(await codeOf(add), 'VALIDATION_FAILED', url);
        assert.equal(
          await codeOf(t.client.editLesson(lesson.id, { video: { url } })),
          'VALIDATION_FAILED',
          url,
        );
      }
      const seen = await t.client.editLesson(lesson.id, { video: { url: 'http://10.0.0.8/sec/01.mp4' } });
      assert.deepEqual(seen.changed, ['video']);
    });

    test('#12.14 when an imported xlsx sheet escapes a NUL or an ESC into a cell (_x0000_), then the batch is refused with VALIDATION_FAILED and nothing is stored', async () => {
      // Goal: text inside an uploaded file is held to the edge's rule too; the base64 hid it from the edge.
      const before = (await t.client.subsidyBatches({ limit: 100 })).items.length;
      for (const note of ['餐补_x0000_', '_x001B_[2J餐补']) {
        const sheet = await writeXlsx('补助', ['学号', '金额', '备注'], [['S0001', '10.00', note]]);
        const preview = t.client.previewSubsidyBatch({ xlsxBase64: sheet.toString('base64') });
        assert.equal(await codeOf(preview), 'VALIDATION_FAILED', note);
        const create = t.client.createSubsidyBatch({
          title: '餐补',
          createdBy: 'finance',
          source: { xlsxBase64: sheet.toString('base64') },
        });
        assert.equal(await codeOf(create), 'VALIDATION_FAILED', note);
      }
      assert.equal((await t.client.subsidyBatches({ limit: 100 })).items.length, before);
    });

    test('#12.14 when text in a body has line breaks and tabs, then it is accepted as it was', async () => {
      // Goal: the rule refuses control characters, not ordinary multi-line text.
      const item = await t.client.publishNews({
        title: '停水通知',
        body: '第一行\n第二行\r\n\t缩进',
        audience: { type: 'all' },
        author: 'card-centre',
      });
      assert.equal(item.body, '第一行\n第二行\r\n\t缩进');
    });
  });
}

test('#12.14 when the shared text rule judges text, then path text allows no control characters and body text only tab, LF and CR', () => {
  // Goal: one rule for the core and the BFF, its edges pinned.
  assert.equal(textProblem('a\tb\nc\r', { lineBreaks: true }), undefined);
  assert.ok(textProblem('a\tb', { lineBreaks: false }));
  for (const bad of ['\u0000', '\u0007', '\u001f', '\u007f', '\u0080', '\u009f', '\udc00', 'x\ud800'])
    assert.ok(textProblem(bad, { lineBreaks: true }), JSON.stringify(bad));
  for (const good of ['王小明', '😀', 'é', '\u00a0', 'plain'])
    assert.equal(textProblem(good, { lineBreaks: false }), undefined, JSON.stringify(good));
});
