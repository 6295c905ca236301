/**
 * Who wrote what: the service binds each participant's Yjs client ids (SPEC.md SP-P1,
 * SP-P2, SP-P4) and announces them; this is the lookup every receiver uses to turn the
 * client id of a struct into an author, and a sender into its rights.
 *
 * Participants who left stay authors of what they wrote under their ids (SP-P4: an id
 * is never bound to anyone else), but have no rights: `participant(id)`, which
 * gives a sender its rights, knows only the current ones.
 */
import type { ChatRole } from '../primitives.ts';
import type { FormerParticipant, Participant } from '../shared-messages.ts';

export type BoundParticipant = {
  readonly id: string;
  readonly role: ChatRole;
  readonly clientIds: ReadonlySet<number>;
  /** True for someone who left the chat: an author, never a sender. */
  readonly left: boolean;
};

type Listed = Pick<Participant, 'id' | 'role' | 'clientIds'>;

export class ParticipantBindings {
  readonly #byId = new Map<string, BoundParticipant>();
  readonly #byClient = new Map<number, BoundParticipant>();

  constructor(
    participants: readonly Listed[],
    former: readonly Pick<FormerParticipant, 'id' | 'role' | 'clientIds'>[] = [],
  ) {
    for (const p of participants) this.#add(p, false);
    for (const p of former) if (!this.#byId.has(p.id)) this.#add(p, true);
  }

  #add(p: Listed, left: boolean): void {
    const bound: BoundParticipant = {
      id: p.id,
      role: p.role,
      clientIds: new Set(p.clientIds),
      left,
    };
    if (!left) this.#byId.set(p.id, bound);
    // The service refuses a client id bound to someone else (SP-P2, SP-P4); should two
    // lists ever disagree, the first holder keeps it rather than the newcomer.
    for (const c of p.clientIds) if (!this.#byClient.has(c)) this.#byClient.set(c, bound);
  }

  /** A current participant: the rights of whoever sends on their link. */
  participant(id: string): BoundParticipant | undefined {
    return this.#byId.get(id);
  }

  /** The participant a Yjs client id is bound to, now or before: the author of its structs. */
  author(clientId: number): BoundParticipant | undefined {
    return this.#byClient.get(clientId);
  }

  roleOfClient(clientId: number): ChatRole | undefined {
    return this.#byClient.get(clientId)?.role;
  }

  /** The current participants. */
  participants(): IterableIterator<BoundParticipant> {
    return this.#byId.values();
  }
}
