import { createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import type { CardActivityFeed } from '../activity/card-activity.ts';
import type { CardService } from '../cards/card-service.ts';
import type {
  NewVisit,
  VisitPassageInput,
  VisitPassageResult,
  VisitPassageView,
  VisitPassGrant,
  VisitView,
} from '../contract/visitors.ts';
import { CoreError } from '../errors.ts';
import { newId } from '../ids.ts';
import type { NoticeRepository } from '../notices/notice-repository.ts';
import type { Pii } from '../pii.ts';
import { formatMinute } from '../time.ts';
import type {
  VisitorPolicy,
  VisitorPolicyRepository,
  VisitRepository,
  VisitRow,
} from './visit-repository.ts';

const listMax = 200;

/**
 * Visitors (#15): registration by a host under the campus policy, department approval, the visitor's
 * link (a token derived from the visit id, so the host can share it again and only its hash is stored),
 * check-ins and check-outs from the gates, the host's arrival notice, and who is on campus now.
 */
export class VisitorService {
  private readonly linkKey: Buffer;

  constructor(
    private readonly visits: VisitRepository,
    private readonly policy: VisitorPolicyRepository,
    private readonly cards: CardService,
    private readonly pii: Pii,
    private readonly notices: NoticeRepository,
    private readonly activity: CardActivityFeed,
    piiKeyHex: string,
  ) {
    this.linkKey = Buffer.from(
      hkdfSync('sha256', Buffer.from(piiKeyHex, 'hex'), '', 'campus-card visitor links', 32),
    );
  }

  getPolicy(): Promise<VisitorPolicy> {
    return this.policy.get();
  }

  async setPolicy(policy: VisitorPolicy): Promise<VisitorPolicy> {
    await this.policy.set(policy, Date.now());
    return this.policy.get();
  }

  /** Registers a visit; the same host and request id answer the visit made the first time. */
  async register(input: NewVisit): Promise<{ visit: VisitView; linkToken: string; created: boolean }> {
    const host = await this.cards.get(input.hostCardNo);
    if (host.status !== 'active')
      throw new CoreError('VISIT_HOST_NOT_ALLOWED', 'the host card is not active');
    const policy = await this.policy.get();
    if (!policy.hostTypes.some((t) => t === host.personType))
      throw new CoreError(
        'VISIT_HOST_NOT_ALLOWED',
        'the campus does not let this kind of person invite visitors',
      );
    const nowMs = Date.now();
    if (input.validUntilMs <= nowMs) throw new CoreError('VALIDATION_FAILED', 'the visit is already over');
    const needsApproval = host.department !== null && policy.approvalDepartments.includes(host.department);
    const id = newId(nowMs);
    const { visit, created } = await this.visits.insertOnce({
      id,
      passId: randomBytes(8).toString('hex'),
      linkTokenHash: this.linkHash(this.linkToken(id)),
      hostPersonId: host.personId,
      hostCardNo: host.cardNo,
      hostRequestId: input.requestId,
      visitorName: input.visitorName,
      visitorPhoneEnc: this.pii.encrypt(input.visitorPhone),
      idTailEnc: this.pii.encrypt(input.idTail),
      purpose: input.purpose,
      places: input.places,
      validFromMs: input.validFromMs,
      validUntilMs: input.validUntilMs,
      status: needsApproval ? 'pending' : 'approved',
      createdAtMs: nowMs,
    });
    return { visit: this.view(visit), linkToken: this.linkToken(visit.id), created };
  }

  /** A host's visits, newest first, each with its link to share again. */
  async forHost(hostCardNo: string): Promise<{ items: (VisitView & { linkToken: string })[] }> {
    const host = await this.cards.get(hostCardNo);
    const rows = await this.visits.forHost(host.personId, listMax);
    return { items: rows.map((r) => ({ ...this.view(r), linkToken: this.linkToken(r.id) })) };
  }

  async get(id: string): Promise<VisitView> {
    return this.view(await this.mustGet(id));
  }

  async pending(): Promise<{ items: VisitView[] }> {
    return { items: (await this.visits.withStatus('pending', listMax)).map((r) => this.view(r)) };
  }

  async onCampus(): Promise<{ items: VisitView[] }> {
    return { items: (await this.visits.onCampus(listMax)).map((r) => this.view(r)) };
  }

  /** The department's decision on a pending visit; the host hears of it in the notice list. */
  async decide(id: string, decision: 'approve' | 'refuse', decidedBy: string): Promise<VisitView> {
    const to = decision === 'approve' ? 'approved' : 'refused';
    if (!(await this.visits.transition(id, ['pending'], to, decidedBy, Date.now()))) {
      await this.mustGet(id);
      throw new CoreError('VISIT_DECIDED', 'the visit is not waiting for a decision');
    }
    const visit = await this.mustGet(id);
    await this.notify(
      visit,
      `visit-${to}:${visit.id}`,
      to === 'approved' ? '访客预约已通过' : '访客预约未通过',
      `${visit.visitorName} ${formatMinute(visit.validFromMs)}`,
    );
    return this.view(visit);
  }

  /** The host withdraws an invitation; gates refuse its pass online from then on. */
  async cancel(id: string, hostCardNo: string): Promise<VisitView> {
    const visit = await this.mustGet(id);
    if (visit.hostCardNo !== hostCardNo) throw new CoreError('VISIT_NOT_FOUND', 'no such visit of this host');
    if (!(await this.visits.transition(id, ['pending', 'approved'], 'cancelled', null, Date.now())))
      throw new CoreError('VISIT_DECIDED', 'the visit is already refused or cancelled');
    return this.view(await this.mustGet(id));
  }

  /**
   * What the visitor's link shows. The ID tail goes to the BFF only for an approved visit, to put its
   * digest into the pass it signs; the BFF never stores it.
   */
  async byLink(token: string): Promise<{ visit: VisitView; idTail: string | null }> {
    const visit = await this.visits.byLinkHash(this.linkHash(token));
    if (!visit) throw new CoreError('VISIT_NOT_FOUND', 'no such visit');
    return {
      visit: this.view(visit),
      idTail: visit.status === 'approved' ? this.pii.decrypt(visit.idTailEnc) : null,
    };
  }

  /** byLink for an approved visit only, for signing its pass. */
  async passGrant(token: string): Promise<VisitPassGrant> {
    const { visit, idTail } = await this.byLink(token);
    if (idTail === null) throw new CoreError('VISIT_NOT_APPROVED', 'the visit is not approved');
    return { visit, idTail };
  }

  /**
   * A gate's check-in or check-out. The pass was checked by its signature already (gateway or device);
   * here the core refuses what only it knows: a visit cancelled or refused since the pass was signed.
   * Stored once per device frame; the first check-in tells the host.
   */
  async recordPassage(input: VisitPassageInput): Promise<VisitPassageResult> {
    const visit = await this.visits.byPassId(input.passId);
    if (!visit) throw new CoreError('VISIT_NOT_FOUND', 'no such visitor pass');
    if (visit.status !== 'approved' && input.source === 'online' && input.direction === 'in')
      throw new CoreError('VISIT_NOT_APPROVED', 'the visit was cancelled or refused');
    const { recorded, firstIn } = await this.visits.recordPassage(visit.id, input, Date.now());
    const after = (await this.visits.byId(visit.id)) ?? visit;
    if (firstIn)
      await this.notify(
        after,
        `visit-arrived:${visit.id}`,
        '访客已到达',
        `${visit.visitorName} ${formatMinute(input.occurredAtMs)} 入校`,
      );
    return { recorded, visit: this.view(after) };
  }

  passages(id: string): Promise<VisitPassageView[]> {
    return this.visits.passages(id);
  }

  private async notify(visit: VisitRow, noticeId: string, title: string, body: string): Promise<void> {
    const createdAtMs = Date.now();
    await this.notices.insertMissing([
      {
        id: noticeId,
        personId: visit.hostPersonId,
        kind: noticeId.slice(0, noticeId.lastIndexOf(':')),
        title,
        body,
        data: { visitId: visit.id },
        createdAtMs,
      },
    ]);
    this.activity.emit({
      type: 'notice',
      cardNo: visit.hostCardNo,
      noticeId,
      kind: 'visit',
      title,
      atMs: createdAtMs,
    });
  }

  private async mustGet(id: string): Promise<VisitRow> {
    const visit = await this.visits.byId(id);
    if (!visit) throw new CoreError('VISIT_NOT_FOUND', 'no such visit');
    return visit;
  }

  /** 32 url-safe characters, derived from the visit id under a key from PII_KEY: shareable again, never stored. */
  private linkToken(visitId: string): string {
    return createHmac('sha256', this.linkKey).update(visitId).digest('base64url').slice(0, 32);
  }

  private linkHash(token: string): string {
    return createHash('sha256').update(token).digest('hex');
  }

  private view(row: VisitRow): VisitView {
    const phone = this.pii.decrypt(row.visitorPhoneEnc);
    return {
      id: row.id,
      passId: row.passId,
      hostName: row.hostName,
      hostDepartment: row.hostDepartment,
      visitorName: row.visitorName,
      visitorPhoneMasked: `${phone.slice(0, 3)}****${phone.slice(-4)}`,
      purpose: row.purpose,
      places: row.places,
      validFromMs: row.validFromMs,
      validUntilMs: row.validUntilMs,
      status: row.status,
      decidedBy: row.decidedBy,
      onCampus: row.onCampus,
      lastPassageAtMs: row.lastPassageAtMs,
      createdAtMs: row.createdAtMs,
    };
  }
}
