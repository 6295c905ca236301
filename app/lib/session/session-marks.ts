/**
 * User Timing marks the session makes. They show in the browser's performance panel
 * beside the page's own timings, and the S5 benchmark reads them (tests/bench).
 */

/** A data channel to a peer opened; the detail is `{chatId, peer}`. */
export const LINK_OPEN_MARK = 'peerdesk:link-open';
