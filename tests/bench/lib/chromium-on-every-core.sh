#!/bin/sh
# Starts Chromium on every core (lib/chromium.ts, for S5): the runner is pinned to
# one core (npm run bench), and a browser started from it would inherit that, its
# renderers, network service and browser process then taking turns on one core as
# no visitor's browser does. `exec` keeps the pipes Playwright drives it through.
exec taskset -c "0-$(($(nproc --all) - 1))" "$PEERDESK_CHROMIUM" "$@"
