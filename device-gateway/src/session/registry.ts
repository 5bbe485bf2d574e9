import type { Session } from './session.ts';

/** The live sessions, and the one signed-in session per device: a new sign-in replaces the old. */
export class SessionRegistry {
  readonly all = new Set<Session>();
  private readonly byDevice = new Map<number, Session>();

  add(session: Session): void {
    this.all.add(session);
  }

  signedIn(session: Session): void {
    const deviceId = session.deviceId;
    if (deviceId === undefined) return;
    const previous = this.byDevice.get(deviceId);
    this.byDevice.set(deviceId, session);
    if (previous !== undefined && previous !== session) previous.replace();
  }

  closed(session: Session): void {
    this.all.delete(session);
    const deviceId = session.deviceId;
    if (deviceId !== undefined && this.byDevice.get(deviceId) === session) this.byDevice.delete(deviceId);
  }

  /** The signed-in session of a device on this instance, if any. */
  of(deviceId: number): Session | undefined {
    return this.byDevice.get(deviceId);
  }

  /** Every signed-in session, one per device. */
  signedInSessions(): IterableIterator<Session> {
    return this.byDevice.values();
  }

  get signedInCount(): number {
    return this.byDevice.size;
  }
}
