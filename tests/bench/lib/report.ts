/**
 * The README's `## Benchmarks` section, generated from the result rows: it sits
 * just before `## Configuration`, which stays the last section (a unit test checks
 * that). The prose above the table is kept in this file so that it changes with
 * the code that makes it true.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Machine } from './machine.ts';
import { missedBy, type ResultRow } from './results.ts';

const HEADING = '## Benchmarks';
const NEXT_HEADING = '## Configuration';

const INTRO = `\`npm run bench\` (at most 10 minutes) builds the app, runs the suite in \`tests/bench\`
and writes \`tests/bench/results.json\` and the table below; \`npm run bench:smoke\` runs every
scenario at small sizes, once and without a warm-up, in under a minute (about 45 s on this
machine under load), on \`build/\` as it is (\`npm test\` runs it right after the e2e step has
built it). The smoke run fails on errors, on broken invariants and on the S7 budgets, which are
sizes and hold at any run size; it does not judge the other ratios, which small sizes cannot show.

Method: each server under test runs in its own process pinned to core 0 (\`taskset -c 0\`), the
load generator on core 1. CPU is the server process's utime + stime from \`/proc/<pid>/stat\`,
memory its VmRSS from \`/proc/<pid>/status\` after full garbage collections (the JS heap from the
process's own report where a leak is checked). Every contender gets a warm-up round, then five
repetitions interleaved (ours, peer, peer, ours, …), each in a fresh process; the table shows
medians with min–max. S1–S4 refuse to report when uWebSockets.js runs its pure-JS fallback: each
server child reports \`describeTransport().uwsNative\`.

Ratios read "below 1 is ours ahead": ours ÷ peer for lower-is-better metrics, peer ÷ ours for
higher-is-better ones (rounds per CPU-second), so every target is an upper bound. The peer is the
one the target names (bare uWS in S1, the reference dispatcher in S3), else the best peer in the
same run.

- S1 "ours" is the service's WebSocket layer: \`signal/transport/uws-transport.ts\` with the
  service's default options and an echo at the transport interface. It is what our layer adds over
  bare uWS (per-socket state, the copy of each frame into a string, corked and checked sends, the
  open-socket list for shutdown). The gateway and core behind it are measured in S2 and S4.
  Issue 17: per socket there is one connection object of four plain fields (the uWS socket, id,
  the gateway's data, held sends or null) and, in the uWS user data, its link and the two
  shutdown links, which fill the property array the link costs anyway (this build's
  \`app.close()\` drops sockets with 1006, not the 1012 a shutdown owes:
  \`tests/integration/uws-app-close.test.ts\`). The JS heap per idle socket after two full GCs
  went from 212 B to 130 B (bare uWS: 32 B, its socket object). Memory is read in a child
  of its own (\`STEADY_MEMORY\` in \`s1-transport.ts\`, every contender alike): V8's young
  generation fixed at 1 MB semi-spaces, its memory reducer off, glibc's trim threshold raised;
  the base after a warm-up of 200 connections opened and closed, every reading after the child
  has written its whole young generation and run two full GCs. Without that, V8 resized its
  young generation (1 to 16 MB) and gave pages back between readings, moving RSS by megabytes
  against 100–500 B a socket (one run read bare uWS at −0.75 KB; a ratio is no longer formed
  from a negative figure). With it the 5,000 and 15,000 rows repeat within 0.01–0.02 KB. The
  @1000 row says nothing: RSS does not grow at all for 1,000 sockets on either side (they fit
  in pages the warm-up and start-up freed), so its 0.0 ratio is not a result. Our RSS per
  socket below bare uWS's is the same effect at a larger count: our 98 B more of JS per socket
  land in old-space pages that our start-up left partly free. CPU and latency run in a second
  child with V8's defaults. The service sets no V8 flag: \`--max-semi-space-size=1\` would cut our
  young generation from 16 MB to 2 MB, a fixed cost and not one per connection, and S2's CPU
  with it was not measured.
- S2 "ours" is the whole service: a visitor and a helper in one chat relay \`signal\` messages
  (3 KB offer, 3 KB answer, five candidates each way). y-webrtc's server gets the same round as
  \`publish\`es to a topic per pair, PeerJS as OFFER/ANSWER/CANDIDATE to \`dst\`. Rate and
  connection limits per IP are raised (all load comes from 127.0.0.1); nothing else is changed.
  The floor has rows of its own ("vs bare uWS relay"): \`tests/bench/servers/relay-uws.ts\`
  forwards ours' very frames by reading \`to\` and looking the socket up, nothing else (no hello,
  membership check, schema or re-serialising). Ours decodes the hot \`signal\` frame with a
  hand-written decoder (\`protocol/hot-frames.ts\`) that accepts exactly what the valibot schema
  does and leaves every other frame and every refusal to the schema; a property test over the
  malformed-frame corpus and generated frames proves the two equal
  (\`tests/unit/protocol/hot-frames.property.test.ts\`). Memory is RSS less V8's young generation,
  read after the child has written its young generation whole and run two full GCs, every
  contender alike: read as plain RSS, the 1,000-pair figure was mostly young-generation pages
  first reached by the rounds run at 100 pairs (a probe of ours: RSS +15 MB over those rounds, JS
  heap in use +0.17 MB). The @100 row says nothing: 200 peers of about 2 KB are 0.4 MB, less than
  RSS moves between two readings by V8's and glibc's own page handling (it has read from −2.04 to
  3.10 KB for ours and from 0.17 to 23.9 KB for PeerJS); a warm-up of 20 pairs before the base did
  not steady it and was dropped. Issue 17 on memory: most chats hold nothing in three of their
  collections (helpers who rejected it, participants who left, invitations) and most staff watch
  no chat; those start as one shared empty set or map (\`signal/core/state.ts\`) until a first
  entry, and chats and participants are built field by field (one hidden class each). The
  service's JS heap per pair after two full GCs went from 4,562 to 3,899 B at 1,000 pairs and from
  4,117 to 3,432 B at 5,000 (PeerJS: 6.4 KB a pair at 1,000, a probe). Two full runs with this
  reading, after then before (load 10.3 and 13.7 at their starts): @1000 2.14 against 3.09 KB a
  peer (PeerJS 7.35 and 8.50: ratio 0.29, was 0.36), @5000 2.29 against 2.77 KB (best peer 5.38
  and 5.03: 0.43, was 0.55). Rounds per CPU-second: the floor bounds them; the bare relay does
  8,333–10,204 a CPU-second and PeerJS 5,814–6,173, so the 0.5 target (twice PeerJS) lies above
  the floor. The p99 rows: the 2× tail at 1,000 and 5,000 pairs was the runner's, not the
  service's. Pairs had just been added, the runner (thousands of client sockets) was due a
  mark-compact, and where it fell inside the timed rounds (about a second) it stopped the runner
  for 100–150 ms and every round in flight with it, whichever the contender; the service's event
  loop never stalled over 25 ms and its scavenges took under 1.5 ms (a probe with GC observers
  in both processes). The runner now runs two full GCs before each timed run of rounds. Before
  and after, quiet machine (load 1.0 and 1.5): p99 @5000 ours 156.7 (39.8–195.4) → 53.8
  (44.3–60.3) ms, PeerJS 140.3 (54.3–200.2) → 50.6 (45.6–55.7), the relay 45.6 (34.0–171.5) →
  47.0 (40.0–50.8). The rounds' time is now mostly their wait in the runner (p50 level for all;
  in a probe the runner used 0.70–0.97 CPU-s of 0.74–1.1 s runs, ours 0.56–0.63), so p99
  ≤ 0.8× PeerJS cannot show with 200 rounds in flight; ours is level (1.01 @1000, 1.06 @5000)
  and within the floor's 1.3. With 2 in flight (a probe, two runs each, the runner's GC first):
  p99 @1000 ours 1.4 ms, PeerJS 2.3–2.5, the relay 1.5; @5000 ours 1.9–2.2, PeerJS 3.1–3.2, the
  relay 2.1–2.2 (0.56–0.69× PeerJS). The bench now times that too, on the same pairs after the
  main rounds ("round p99, 2 in flight", 1,000 rounds, the runner's GC first). In the first run
  with it (S2 only, load 1.9, the runner on its core and the servers on theirs as in every run)
  ours was level with the best peer there too: 2.99 / 4.76 / 3.04 ms at 100 / 1,000 / 5,000
  pairs, 1.03 / 1.17 / 1.01× (y-webrtc was the best peer at 1,000). So the probe's 0.56–0.69×
  (not pinned) did not hold in the bench's own setup: p99 ≤ 0.8× the best peer is missed at
  either load. The light rounds through the bare relay have their own row (2026-12-07, S2
  only, load 3–6): a relay that does nothing but look the addressee up took 3.16 / 5.05 / 3.02
  ms against the best peer's 3.06 / 4.47 / 3.15, that is 1.03 / 1.13 / 0.96× (ours 3.16 / 6.12
  / 3.37). A round's time is the runner's sockets and the kernel's, not the server's work (ours
  spends about 0.12 ms of CPU a round, PeerJS 0.15): 0.8× the best peer lies below the floor,
  and no relay, ours or the bare one, reaches it in this setup.
- S3 drives the core in process against a reference that scans every helper per offer and keeps
  the same rules and messages (positions and waits, SP-Q3/Q7); the reference tells positions on
  every change, ours folds them into one walk per \`queueNoticeMs\` (the "messages built" row).
  Each run first does 2,000 untimed cycles of the same work in the same process, so the timed
  ones see V8's optimised code: without them the accept and reject paths were compiled inside
  the timed window, and each compile job took the pinned core from the main thread for up to
  85 ms, which set the p99s. The full invariant check (every chat of the core's view) runs
  after the setup, among the warm-up cycles and after the timed ones, not between timed calls:
  the calls after it ran on cold caches (\`tests/bench/servers/queue.ts\`). Issue 17 on reject →
  next offer: a third of the timed rejects carry one step of the positions walk (32 notices);
  the reference's reject tells nobody. A step's cost was two lookups per visitor in maps of ten
  thousand (what it was last told, by chat id; its connection, by visitor id): both now sit on
  the queued chat (\`told\`, \`visitorState\`), and in back-to-back runs of the cycles (load
  11–14) a step's median fell from 0.021 to 0.010 ms, below the reference's reject median
  (0.011–0.013 ms); rejects without a step take 0.007 ms. What is left above that in the
  slowest 1% is the machine: in those runs the slowest rejects of both contenders were
  0.05–30 ms preemptions (two cores shared by five sessions), which land on calls in
  proportion to their length, so the p99 row moves with the load from run to run.
- S4 restarts the service (1012 to every socket, a new process on the same port) under 5,000
  \`SignalClient\`s from the app with their jittered reconnect policy.
- S5 runs in headless Chromium, which may use both cores (pinned to the load generator's core,
  our two pages' renderers took turns with the browser's other processes and our round trip
  tripled). Ours: a fresh service per repetition, the visitor in the widget and a helper in the console in two
  browser contexts; accept → open is from the helper's click on Accept to the
  \`peerdesk:link-open\` User Timing mark the session makes on both pages, the round trip from
  Send until the visitor's acknowledgement clears the message's "sending…" on screen. The peer
  the targets are judged against is a bare \`RTCPeerConnection\` pair in two pages (two browser
  contexts, signalled through the runner), echoing 64-byte messages; the pair in one page stays
  as a reference row. Issue 17 on the round trip: a sent line goes on the data channel before
  the page renders (a signed line is shown once written), presence is coalesced to one
  awareness update per 50 ms and only when it changed (a keystroke and its Send put no frame
  ahead of the message), and the receiver's ack is no longer held by a scan of every message
  for attachments; the ack is sent synchronously on receipt. y-indexeddb's write of an update
  runs in a microtask after the update's frames (\`storeAfterTheFrames\`, chat-store.ts), and a
  reader's read marks are coalesced to one per 250 ms (\`READ_MARK_COALESCE_MS\`): a Chromium
  trace showed the visitor's per-message read mark reaching the helper ahead of the next ack,
  which then waited 20–30 ms while the helper applied, acknowledged and rendered it. What
  remains (trace, per round trip): the helper's page is busy for almost all of it: the form's
  \`requestSubmit\` forces a style and layout of the console inside Chromium's submit path,
  before the submit event, Svelte renders the pending line, then the ack is read and the line
  re-rendered. The log used to scroll to its bottom as it grew, reading its height: a forced
  layout of the half-updated console, which the frame then did again. A trace with User Timing
  marks on every data-channel frame (2026-12-07) showed the visitor's ack leaving 0.6 ms after
  the line came and reaching the helper's script 3–10 ms later, behind that layout and the
  frame's paint and commit. The log now follows in the next animation frame (\`followSoon\`,
  MessageLog.svelte). Probes of the code before and after, interleaved (15 runs of 30–50 round
  trips each): median of the runs' medians 9.9 → 8.5 ms. The same code read 5 ms in one hour
  and 12 ms in another on this machine, so only an interleaved comparison says anything. The floor
  for our design is the helper's render of one line twice (pending, then delivered) plus one
  WebCrypto signature, and a frame's paint when it falls between; a bare echo renders nothing.
  On accept → open: the chat document loads beside the file store's
  open and sweep, every link of a page reuses one DTLS certificate made at page start, the
  links start beside the document's load (\`ChatLinks\`, chat-links.ts: the helper's
  \`RTCPeerConnection\` now starts when its \`participants\` message is read, before its
  IndexedDB has opened), and a connection made when a chat is offered
  (\`warm-connection.ts\`, \`iceCandidatePoolSize\`, the same ICE servers and transport
  policy, discarded when they change) gathers its candidates while the helper decides; not
  with TURN credentials or relay-only (a refusal of expired credentials met while pooling
  reached no link, and B5 needs the console to say it). The service relays every signal within
  1 ms of reading it (a probe stamping the gateway's reads and writes, 2026-12-07, quiet
  machine); the rest is the two pages' main threads. The helper's page reads \`participants\`,
  which the service sent 4 ms after Accept, 30–55 ms later, behind the console's render of the
  new chat (in a CPU profile half of it was the page's first date formatter loading the
  locale's data: the console now makes its formatters when idle); the visitor's page reads the
  offer 15–40 ms after the service relayed it, behind its own first render of the chat (the
  question written, the log mounted), and its answer waits behind the rest of it. Making
  the page's views of a new chat in a task of their own, after the document's load, so that
  signalling that came meanwhile goes first, was tried and taken back: interleaved probes of
  the code before and after it and the formatters (9 opens each) showed no change beyond the
  noise (medians 125.8 and 122.9 ms, each ranging over 100–200 ms), and the extra task let
  the widget's page views land above "Alice joined the chat" (one e2e failure in six runs).
  What stays is the floor of this design on two cores: each page renders the chat it just got (30–50 ms of
  cold code, style and layout each here), and whichever render falls between a signal's
  arrival and its handling delays the open; the bare pair renders nothing. Rendering after the
  link opens would move that cost, not remove it, and leave Accept without an answer on screen
  for as long as ICE takes (seconds over TURN), so it was not done.
- S6 plays a chat between a visitor's and a helper's replica in one process: ours through
  \`ChatDocument.postMessage\` and, on the receiving side, the permission filter
  (\`filterUpdate\`), the size budget and the apply, as the session's replica does; raw Yjs pushes
  \`{id, kind, body, at}\` objects to a \`Y.Array\`. Raw Yjs's \`push\` walks the array from its
  start when no index lookup has left a search marker, so its writes grow with the chat; our
  receive is the fairer comparison of the filter's cost. Load is a fresh replica taking the whole
  transcript as one encoded state and reading it in order (ours: filtered as a sync step 2, then
  \`messages()\`, which checks and sorts; raw: the array). Issue 17: a plain text or system line
  is checked without valibot (\`isPlainMessageEntry\`, held to the schema by a property test) and
  built field by field (a spread of the entry Yjs decoded cost about 5 µs a message); by CPU
  time in one process \`messages()\` went from about 80 ms to 9 ms for 10,000 lines. What stays
  above raw Yjs is the permission filter's own decode of the whole update (\`Y.decodeUpdate\`)
  before the apply decodes it again: by CPU time in one process, filter 57 ms + apply 88 ms +
  \`messages()\` 9 ms against raw's 78 ms, so with this filter the floor is about 1.9x; below it
  needs a filter that reads the update format without building Yjs structs.
  Since then the filter is a byte scan (\`protocol/chat-doc/update-scan.ts\`) and \`messages()\`
  reads the map's items directly; at load 3–11, in one process, after the first loads:
  filter 4–36 ms, apply 92–150 ms, read 28–100 ms (garbage collection moves it) against raw's
  26–85 ms in all. The floor is Yjs's apply of the keyed map: each message is its own item with
  its key, so below about 2× needs a different document shape (out of this issue's scope).
  Issue 17 checked that claim with numbers: by CPU time (\`process.cpuUsage\`) of the one load
  in the benchmark's own child, three runs each at load 11–16: raw Yjs's array 34–44 ms; the
  very bytes of our transcript applied to a bare \`Y.Doc\` and read from its \`Y.Map\` (no
  filter, budget or schema) 79–83 ms; ours 104–132 ms (filter 3, apply 84–93, \`messages()\`
  13–44). The keyed shape alone is 1.8–2.4× the array. So the contender "raw Yjs keyed"
  (\`servers/chat-doc.ts\`: a \`Y.Map\` of \`{kind, body, at}\` by a random id, set, applied
  and read sorted by \`at\`, nothing else) now runs beside the two, with a row of its own: ours
  against the shape's floor. Ours' loader made its \`ChatDocument\` only after the apply, so
  the transcript created the root type, and V8 deoptimised Yjs's struct reader at that first
  root mid-load (\`readClientsStructRefs\`, "wrong call target"): about 20 ms of CPU that no
  session pays, as \`ChatReplica\` makes its \`ChatDocument\` in its constructor. Every
  contender now names its root before the transcript comes (CPU, medians of 7 at load 8: raw
  19.3 → 17.8 ms, keyed 26.4 → 26.8, ours 64.0 → 43.9). The size budget's \`update\`
  listener made Yjs encode the applied transcript once more (about 11 ms); the replica
  listens to \`update\` as well (to relay and store), so that is fixed in the replica's path:
  \`applyReceivedUpdate\` (\`protocol/chat-doc/received-update.ts\`) gives the listeners the
  received bytes and keeps Yjs's own encoding wherever it can differ in what matters (a relay,
  pending structs, an observer's write), with a property test that a store of what was heard
  loads the same document (ours 52.0 → 41.9 ms CPU, one batch at load 16). \`messages()\`
  reads the map with \`forEach\` and builds the plain line in a small function of its own (a
  cold read of the 10,000 lines 10.9 → 7.1 ms CPU). The "CPU time of the pinned child" row
  is the load's \`process.cpuUsage\` (kernel accounting: a few ms either way in one sample),
  which other work on the machine does not stretch as it stretches the wall-clock rows: in two S6-only runs at load 10–12, ours 32.3 and 37.5 ms
  against raw 17.4 and 20.5 (1.86× and 1.83×) while the wall-clock ratio read 2.11 and 0.86.
  Of ours' CPU: filter 2 ms, apply 21–25 (about keyed's whole load: our entries carry \`seq\`
  and longer ids), reading the view's messages 5–9. Tried and not kept: a \`gc()\`
  before the load, which made both slower (V8 dropped compiled code: raw 35 → 135 ms CPU). The filter stays on every load:
  CHAT.md's rules filter every update from a peer, and the load here is a helper's sync step 2.
- S7 counts, in Chromium with an empty cache, the loader and every file the chat's first open
  loads (iframe document, JS, CSS), each compressed here with gzip (9) and brotli (11). Ours: the
  service's \`/demo\` host page, Chat with us pressed, until the pre-chat form shows. Rocket.Chat:
  the \`@rocket.chat/livechat\` npm build served statically with its documented snippet; its
  loader makes the iframe at once and the app loads its bundles, counted until it asks its server
  for its configuration. With no Rocket.Chat server it shows no widget, so the screens a visitor
  would open next (lazy chunks of a few KB) are not counted, which flatters Rocket.Chat.
- S8 is one console page in Chromium (1440×900) at a room monitor's heaviest: three chats of her
  own with 2,000 messages each and ten of another helper's with 500 each, watched in tabs (a
  fresh service per round; visitors on bare WebSockets; the helpers write through the reply box;
  a chat counts as written once a monitor watching it shows its last message). Switch time is the
  work of the frame the switch lands in: the click on a chat in the list at the start of a frame
  (where Chromium handles input), until that frame has been styled, laid out and painted (a
  message posted from the frame's callback runs after it); p95 per round, against one frame at
  60 Hz (16.7 ms): within it, the switch shows at the next refresh. Switches are timed between
  her own chats, between the watched ones, and (since 2026-12-07) back and forth between an own
  chat and a watched one, where the workspace swaps the chat panel for the watch panel. Until 2026-12-07 the time ran
  from a click between frames to the next frame, which counted the wait for the display's
  refresh (a whole frame, 16.7 ms, when nothing happens) as the page's. Beside the switch, the
  same frame without a click is reported; the run's log also shows the frame after the switch's
  (work a switch leaves behind would show there). The same switches are then made again under a
  Chromium trace, and the main thread's CPU time of each switch's frame (the thread time of the
  task holding the click: its script, style, layout, paint and commit) is reported too, p95: the
  switch's work without the waits for a core that the wall time holds on this shared machine
  (2026-12-07, the run in the table, the full suite at load 2.2: wall median 7.0 / 5.3 ms and
  p95 10.2 / 9.0 ms, own / watched, CPU median 6.0 / 5.2 ms and p95 6.9 / 5.8 ms; S8 alone
  at load 1.9 had a wall p95 of 8.7 / 10.6 ms, at load 4.3 9.4 / 13.1 ms, and two runs of nearly the same code, at load 6.1 and 4.2,
  9.0 / 8.4 and 13.7 / 14.7 ms; the code before
  the log's one-block entries at load 14 had 16.9 / 16.3 ms, and a traced run at load 25 to 35,
  with other tests running, a CPU p95 of 13.1 ms against a wall p95 of 193 ms for her own
  chats: on this machine the tail of the wall time is waiting for a core, not the switch's work). Heap growth is V8's used heap after full
  collections (over CDP) with every chat loaded and opened, minus the same for the console up
  with no chats: that baseline is read after a warm-up worked as the measured chats are: a chat
  of her own, watched by the second monitor, and one she watches, 500 lines each through the
  reply box, switched between, then ended or no longer watched and closed, and read once the
  page holds no session, document or store (\`window.peerdeskDebug\`) and the archive uploads
  of the ended chats (F27, the whole document in the request's body) are answered, so the
  console's code for writing, signing, syncing and showing a chat has run hot and is compiled
  before it; what grows afterwards is what the chats hold, not that code. Until 2026-12-07 her
  own warm-up chat had 3 lines and nobody watching it, and about 1.4 MB of code compiled after
  the baseline counted as the chats' (heap snapshots: \`S8_HEAP_SNAPSHOT=<dir>\`); code compiled
  later still counts (on 2026-12-07 the heap with every chat closed again was 0.9 MB above the
  baseline, nearly all of it code). The floor is read after every chat is closed and released in the
  same way: Chromium hands out the same string for a \`TextDecoder\` decoding of the same bytes
  while that string lives (decoding 20,000 strings a second time took 0.08 MB of heap, the
  first time 0.48 MB), so bare documents read beside the console's live ones shared their
  strings (the floor read beside them until 2026-12-07: 3.6 MB, against 3.9 MB alone). It loads
  Yjs into the same page and reads every stored chat document back from its IndexedDB into bare
  Y.Docs, kept referenced. One round and no warm-up round: a round writes 11,000 signed
  messages through the reply box. A console log renders, at its bottom, what fills it and two
  entries more (\`app/lib/ui/log-fit.ts\`; half a screen more until 2026-12-07, from the size of the log shown before), and earlier
  messages a screenful at a time as the reader scrolls up (\`app/lib/ui/log-window.ts\`; "Show
  earlier messages" adds 100), so a switch lays out about a dozen bubbles; a chat's view makes a
  view object for the rendered messages only (\`app/lib/session/message-views.ts\`). Parsed
  markdown is kept for the 500 bodies used last (\`app/lib/messages/message-format.ts\`; 2,000
  until 2026-12-07, an estimated 0.3 MB more), and a chat's messages no peer holds yet (all of her own
  here: the visitors are bare WebSockets) are one set shared by the replica and its view, not
  copied per view (\`chat-replica.ts\` \`pendingIds\`). The console
  keeps one chat panel (and one watch panel) mounted and gives it the chat switched to
  (\`app/lib/console/Workspace.svelte\`): a switch makes that chat's log, notes and live regions
  anew and updates the fields that differ, not the reply box, toolbar, visitor pane and dialogs;
  drafts and the log's place are kept per chat (\`app/lib/console/panel-memory.ts\`). A log just
  made scrolls to its kept place from its first ResizeObserver callback, after the frame's
  layout, rather than forcing a layout of its own inside the frame; the log and the workspace's
  panes are CSS-contained (\`contain: strict\`), so a switch lays out and paints inside them. A
  log entry is one block per message (the earlier conversation's separator sits between two
  lists, not in every entry; a plain message's bubble renders its body directly), about 8% less
  CPU per switch. \`S8_PROFILE=<dir>\` writes a CPU profile of the own chats' switches,
  \`S8_TRACE=<dir>\` the traces of the CPU-time pass (script, style, layout and paint per frame).
- S9 sends one 10 MB file (random bytes) in headless Chromium on both cores, as S5. Ours: a fresh
  service per repetition, a helper in the console and a visitor in the widget; the helper's page
  hands the file to "Attach a file", and the time runs from that \`change\` until the visitor's page
  shows the download link, which it does only once the whole file's SHA-256 matched: reading and
  hashing the file, storing it (IndexedDB), its metadata through the chat document, the pull in
  16 KiB chunks under the link's flow control, batches stored and acknowledged, assembly, hash and
  store on the receiving side. The bare pair is two pages (two renderers, as ours), each with one
  \`RTCPeerConnection\` signalled through the runner, the sender pushing 16 KiB messages while
  \`bufferedAmount\` is under 1 MiB (resumed on \`bufferedamountlow\` at 256 KiB), the receiver
  counting bytes; timed from its first send to its last byte. Throughput is 10^6 bytes per second;
  the ratio is bare ÷ ours, so "ours ≥ 0.8× the bare pair" is a ratio of at most 1.25. Memory is the
  receiving page's JS heap (V8's used size plus ArrayBuffer backing stores, over CDP every 50 ms
  during the transfer), peak; ours holds the file's chunks and then the whole file, the bare pair
  keeps nothing.
- S10 is one service under connection load (issue 16): 10,000 idle visitor sockets (connected, each
  saying \`hello\` as the widget does, then quiet) and 100 live chats at once, \`MAX_CONNECTIONS\` set to
  exactly that. RSS per idle socket is the service process's growth after full GCs, read before any
  chat, against the same sockets (same hello, echoed) on a bare uWS echo. Each chat is a visitor
  asking, the helper offered it accepting, a 3 KB SDP offer, a 3 KB answer and five ICE candidates
  each way relayed, then the visitor ending it and asking again; request → offer is from the
  visitor's \`request\` to the helper's \`offer\`. Its peer is the same service and chats without
  the idle sockets (what they cost); S3's reference queue runs in process without sockets, so it
  is not comparable. After every slot's first 5 chats, 500 sockets are opened past the limit while
  the chats go on: every one must get \`server_full\` and close code 1013, no idle socket may drop
  and every slot must finish 5 more chats, or the run fails (the smoke run too).
- S11 is the Contributors room's fan-out (F20): 1,000 staff sockets, each a helper signed in with
  a session of its own and in the room, and one of them writes 200 messages, each once every
  socket has the one before. Ours stores each message (SQLite, its \`seq\`) and sends it to every
  socket in the room, the writer's included; the bare room is uWS \`app.publish\` to one topic every
  socket subscribed to on open, sent frames of the same shape and size. Delivery is from the write
  until a socket has the message, over every (message, socket); CPU per message is the server
  process's over the 200 messages. Joining is not timed: every account's first join sends the
  member list (up to 200 names) to everyone in the room.`;

function fmt(value: number | null): string {
  if (value === null) return '—';
  const abs = Math.abs(value);
  if (abs >= 1000) return value.toFixed(0);
  if (abs >= 100) return value.toFixed(1);
  if (abs >= 1) return value.toFixed(2);
  return value.toPrecision(2);
}

function range(min: number, max: number): string {
  return `${fmt(min)}–${fmt(max)}`;
}

export function renderSection(rows: readonly ResultRow[], machine: Machine): string {
  const lines = [
    HEADING,
    '',
    INTRO,
    '',
    `Machine: ${machine.nproc} cores (${machine.cpu}), Node ${machine.node}; other work shares ` +
      `it, so figures are noisy. When each scenario last ran, with the load average at its ` +
      `start: ${runsOf(rows)}.`,
    '',
    '| Scenario | Metric | Unit | Ours: median (min–max) | Peer: median (min–max) | Others (median) | Ratio | Target | Pass |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const row of rows) {
    const oursName = Object.keys(row.contenders)[0] ?? 'ours';
    const others = Object.entries(row.contenders)
      .filter(([name]) => name !== row.peer && name !== oursName)
      .map(([name, s]) => `${name} ${fmt(s.median)}`)
      .join('; ');
    const target =
      row.target === null
        ? '—'
        : row.targetOn === 'ratio'
          ? `ratio ≤ ${row.target}`
          : `≤ ${row.target}`;
    const pass = row.pass === null ? '—' : row.pass ? 'yes' : `no (${missedBy(row)})`;
    lines.push(
      `| ${row.scenario} | ${row.metric} | ${row.unit} | ${oursName}: ${fmt(row.ours)} (${range(...row.oursRange)}) | ` +
        `${row.peer === null ? '—' : `${row.peer}: ${fmt(row.peerValue)} (${range(...row.peerRange!)})`} | ` +
        `${others || '—'} | ${fmt(row.ratio)} | ${target} | ${pass} |`,
    );
  }
  return lines.join('\n');
}

/** "S1 2026-12-05 (load 1.9 2.0 2.1); S2 …": one entry per scenario, in table order. */
export function runsOf(rows: readonly ResultRow[]): string {
  const seen = new Map<string, string>();
  for (const row of rows) {
    if (seen.has(row.scenario)) continue;
    seen.set(
      row.scenario,
      row.run === undefined ? 'not recorded' : `${row.run.date} (load ${row.run.loadAtStart})`,
    );
  }
  return [...seen].map(([scenario, when]) => `${scenario} ${when}`).join('; ');
}

/** Replaces the section where it is, or inserts it just before `## Configuration`.
 * Only the section itself is replaced, up to the next `## ` heading: the sections
 * written after it stay (cutting up to Configuration once deleted four of them). */
export function writeReadmeSection(readmePath: string, section: string): void {
  const readme = readFileSync(readmePath, 'utf8');
  const next = readme.indexOf(`\n${NEXT_HEADING}\n`);
  if (next < 0) throw new Error(`README has no "${NEXT_HEADING}" section`);
  const start = readme.indexOf(`\n${HEADING}\n`);
  if (start < 0 || start > next) {
    const before = readme.slice(0, next);
    writeFileSync(readmePath, `${before.trimEnd()}\n\n${section}\n${readme.slice(next)}`);
    return;
  }
  const end = readme.indexOf('\n## ', start + 1);
  const before = readme.slice(0, start);
  writeFileSync(readmePath, `${before.trimEnd()}\n\n${section}\n${readme.slice(end)}`);
}
