/**
 * Who wrote what: the service binds each participant's Yjs client ids (SPEC.md P1,
 * P2) and announces them; this is the lookup every receiver uses to turn the
 * client id of a struct into an author, and a sender into its rights.
 */
import type { ChatRole } from '../primitives.ts';
import type { Participant } from '../shared-messages.ts';

export type BoundParticipant = {
  readonly id: string;
  readonly role: ChatRole;
  readonly clientIds: ReadonlySet<number>;
};

export class ParticipantBindings {
  readonly #byId = new Map<string, BoundParticipant>();
  readonly #byClient = new Map<number, BoundParticipant>();

  constructor(participants: readonly Pick<Participant, 'id' | 'role' | 'clientIds'>[]) {
    for (const p of participants) {
      const bound: BoundParticipant = { id: p.id, role: p.role, clientIds: new Set(p.clientIds) };
      this.#byId.set(p.id, bound);
      // The service refuses a client id bound to someone else (P2); should two
      // lists ever disagree, the first holder keeps it rather than the newcomer.
      for (const c of p.clientIds) if (!this.#byClient.has(c)) this.#byClient.set(c, bound);
    }
  }

  participant(id: string): BoundParticipant | undefined {
    return this.#byId.get(id);
  }

  /** The participant a Yjs client id is bound to: the author of its structs. */
  author(clientId: number): BoundParticipant | undefined {
    return this.#byClient.get(clientId);
  }

  roleOfClient(clientId: number): ChatRole | undefined {
    return this.#byClient.get(clientId)?.role;
  }

  participants(): IterableIterator<BoundParticipant> {
    return this.#byId.values();
  }
}
