#!/usr/bin/env bash
# The morning digest: once a day at 07:00 America/New_York (Cloud Scheduler follows
# daylight saving with --time-zone), a Cloud Run job on the scheduled job's image
# running `props-contracts digest` (docs/incidents-and-digest.md). Its exit code is
# the digest's: 0 sent, 2 no fresh run record (SELF-01), a figure it could not
# trust, or a channel that failed; --max-retries 0, a failed digest is not resent.
#
# Usage: PROJECT=nba-props-platform REGION=us-central1 deploy/digest-schedule.sh
# Without Cloud Scheduler (cron):  CRON_TZ=America/New_York
#                                  0 7 * * * props-contracts digest
set -euo pipefail
: "${PROJECT:?set PROJECT}" "${REGION:?set REGION}"

gcloud run jobs create props-contracts-digest \
  --image "$REGION-docker.pkg.dev/$PROJECT/jobs/props-contracts" \
  --region "$REGION" --service-account "props-contracts@$PROJECT.iam.gserviceaccount.com" \
  --command props-contracts --args digest --task-timeout 10m --max-retries 0 \
  --set-secrets PROPS_ALERT_SLACK_WEBHOOK_URL=props-slack-webhook:latest

gcloud scheduler jobs create http props-contracts-digest-0700-et --location "$REGION" \
  --schedule "0 7 * * *" --time-zone "America/New_York" \
  --uri "https://run.googleapis.com/v2/projects/$PROJECT/locations/$REGION/jobs/props-contracts-digest:run" \
  --http-method POST --oauth-service-account-email "scheduler@$PROJECT.iam.gserviceaccount.com"
