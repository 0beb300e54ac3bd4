import { defineSecret, defineString } from "firebase-functions/params";
import { runtimeEnv, secretValue } from "../lib/config";
import { createWebhookHttp } from "../webhooks/webhook-http";
import type { MonitoringSettings } from "./monitoring";

/**
 * Where alerts are sent. The Slack-compatible webhook URL is a credential (anyone holding it can
 * post to the channel), so it is a secret bound to the two functions that notify; `none` (or an
 * unset secret) sends nothing there. The email hook is any HTTPS endpoint taking
 * `{ subject, text, ... }` JSON (a mail relay). Both go through the SSRF-checked webhook transport.
 */
export const monitoringParams = {
  slackWebhookUrl: defineSecret("ALERT_SLACK_WEBHOOK_URL"),
  emailHookUrl: defineString("ALERT_EMAIL_HOOK_URL", { default: "", description: "HTTPS endpoint (mail relay) that receives alert notifications as JSON; empty: no email." }),
  runbookBaseUrl: defineString("ALERT_RUNBOOK_BASE_URL", { default: "", description: "Web address the repository's monitoring/runbooks/*.md are browsed at (links in notifications)." }),
};

const usable = (url: string) => (url === "none" ? "" : url);

export function monitoringSettings(): MonitoringSettings {
  return {
    slackUrl: () => usable(secretValue(monitoringParams.slackWebhookUrl)),
    emailUrl: () => usable(monitoringParams.emailHookUrl.value()),
    runbookBase: () => monitoringParams.runbookBaseUrl.value(),
    // The emulator notifies local receivers (http, loopback); production only public https hosts.
    ...(runtimeEnv().FUNCTIONS_EMULATOR === "true" ? { http: createWebhookHttp({ allowLoopback: true, allowHttp: true }) } : {}),
  };
}
