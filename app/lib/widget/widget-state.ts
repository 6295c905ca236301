/**
 * The widget's lifecycle as one explicit state (STYLE.md point 4), changed only by
 * `reduceWidget`: a pure function of the current state and one event (a service
 * message, the connection going up or down, or something the visitor did). The
 * widget page renders the state; widget-controller.ts feeds the events.
 */
import type { Department, PrivacyNotice, ServiceToVisitor } from '../../../protocol/index.ts';

export type WidgetPhase =
  /** Before the service's first welcome: nothing to show but "connecting". */
  | { phase: 'starting' }
  | { phase: 'form' }
  /** The request is sent; the service has not placed it in the queue yet. */
  | { phase: 'requesting' }
  | {
      phase: 'queued';
      chatId: string;
      department: string;
      position: number;
      estimatedWaitMs: number | null;
      helpersOnline: number;
    }
  /** F7: the visitor chose to leave a message, or the department is closed. */
  | { phase: 'leave-message'; reason: 'chosen' | 'closed'; department: string }
  | { phase: 'message-left'; messageId: string }
  | { phase: 'chat'; chatId: string }
  | { phase: 'blocked'; until: number };

/** The service connection as the visitor hears about it. */
export type ServiceStatus = 'connecting' | 'online' | 'reconnecting';

export type WidgetState = {
  phase: WidgetPhase;
  service: ServiceStatus;
  departments: Department[];
  /** F10: helpers see the visitor's draft as it is typed (the service decides). */
  typingPreview: boolean;
  /** SP-PN1: the notice the pre-chat form shows before a chat; null for none. */
  privacyNotice: PrivacyNotice | null;
  /** A refusal from the service, worded for the visitor. */
  error: string | null;
};

export type WidgetEvent =
  | { type: 'service'; msg: ServiceToVisitor }
  | { type: 'online'; online: boolean }
  | { type: 'requested' }
  | { type: 'leave-message'; department: string }
  | { type: 'new-chat' };

export const initialWidgetState: WidgetState = {
  phase: { phase: 'starting' },
  service: 'connecting',
  departments: [],
  typingPreview: true,
  privacyNotice: null,
  error: null,
};

const ERROR_TEXT: Partial<Record<string, string>> = {
  already_requested: 'You already have a chat open.',
  unknown_department: 'That department does not exist any more. Please choose another.',
  rate_limited: 'Too many attempts. Please wait a moment and try again.',
};

export function reduceWidget(state: WidgetState, event: WidgetEvent): WidgetState {
  switch (event.type) {
    case 'online':
      if (event.online) return { ...state, service: 'online' };
      return { ...state, service: state.service === 'connecting' ? 'connecting' : 'reconnecting' };
    case 'requested':
      return { ...state, phase: { phase: 'requesting' }, error: null };
    case 'leave-message':
      return {
        ...state,
        phase: { phase: 'leave-message', reason: 'chosen', department: event.department },
        error: null,
      };
    case 'new-chat':
      return state.phase.phase === 'blocked'
        ? state
        : { ...state, phase: { phase: 'form' }, error: null };
    case 'service':
      return onService(state, event.msg);
  }
}

function onService(state: WidgetState, msg: ServiceToVisitor): WidgetState {
  const phase = state.phase;
  switch (msg.type) {
    case 'welcome':
      return {
        ...state,
        service: 'online',
        departments: msg.departments,
        typingPreview: msg.typingPreview,
        privacyNotice: msg.privacyNotice ?? null,
        // A returning visitor's queue place or chat follows the welcome (SPEC.md SP-V2).
        phase: phase.phase === 'starting' ? { phase: 'form' } : phase,
      };
    case 'queued':
      // A visitor writing a message keeps the form; the queue place is still theirs.
      if (phase.phase === 'leave-message' || phase.phase === 'message-left') return state;
      return {
        ...state,
        error: null,
        phase: {
          phase: 'queued',
          chatId: msg.chatId,
          department: msg.department,
          position: msg.position,
          estimatedWaitMs: msg.estimatedWaitMs,
          helpersOnline: msg.helpersOnline,
        },
      };
    case 'unavailable':
      return {
        ...state,
        phase: { phase: 'leave-message', reason: 'closed', department: msg.department },
      };
    case 'cancelled':
      return phase.phase === 'queued' || phase.phase === 'requesting'
        ? { ...state, phase: { phase: 'form' } }
        : state;
    case 'message_left':
      return { ...state, phase: { phase: 'message-left', messageId: msg.id }, error: null };
    case 'chat':
      return { ...state, phase: { phase: 'chat', chatId: msg.chatId }, error: null };
    case 'blocked':
      return { ...state, phase: { phase: 'blocked', until: msg.until }, error: null };
    case 'error': {
      // The blocked state already says it all, with when it ends.
      if (phase.phase === 'blocked') return state;
      const text = ERROR_TEXT[msg.code] ?? msg.message;
      // A refused request goes back to the form, with the reason shown.
      const back = phase.phase === 'requesting' ? { phase: 'form' as const } : phase;
      return { ...state, phase: back, error: text };
    }
    default:
      return state;
  }
}

/** F6: the estimated wait, in words. */
export function describeWait(ms: number | null): string {
  if (ms === null) return 'We cannot estimate the wait yet.';
  if (ms < 60_000) return 'Estimated wait: less than a minute.';
  const minutes = Math.round(ms / 60_000);
  return `Estimated wait: about ${minutes} ${minutes === 1 ? 'minute' : 'minutes'}.`;
}
