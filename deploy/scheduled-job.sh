#!/usr/bin/env bash
# The scheduled job (the image's entrypoint, or a cron line): run every contract,
# then send the alerts. Arguments go to `props-contracts run` (e.g. --snapshots).
#
# Exit code: run's (0 pass, 1 a contract failed, 2 unknown or broken), except that
# an alert step that could not do its work (a channel failed, the record could not
# be read) makes it 2: a job that could not tell anyone must not look fine.
set -uo pipefail

run_status=0
props-contracts run --quiet "$@" || run_status=$?

alert_status=0
props-contracts alert || alert_status=$?

if [ "$alert_status" -ne 0 ]; then
  echo "scheduled-job: props-contracts alert exited $alert_status (run exited $run_status)" >&2
  exit 2
fi
exit "$run_status"
