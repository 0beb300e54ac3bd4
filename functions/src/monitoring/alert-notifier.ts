import type { WebhookHttp } from "../webhooks/webhook-http";
import { logger } from "../lib/logging";
import type { Severity } from "./monitoring-records";

/** What a notification says about an alert's transition. */
export type AlertNotice = { ruleId: string; status: "open" | "resolved"; severity: Severity; summary: string; runbook: string; at: number; occurrences: number };

export type AlertNotifier = (notice: AlertNotice) => Promise<boolean>;

export type NotifierDeps = {
  /** The SSRF-checked transport of webhooks (webhooks/webhook-http.ts). */
  http: WebhookHttp;
  /** Slack-compatible incoming webhook (`{ text }`); empty: none. */
  slackUrl: () => string;
  /** A mail relay hook taking `{ to?, subject, text }` JSON (SendGrid/Mailgun inbound bridges, Zapier...); empty: none. */
  emailUrl: () => string;
  /** Where a runbook path is browsed (the repository's web address). @default the path alone */
  runbookBase?: string;
  timeoutMs?: number;
};

const icon = (notice: AlertNotice) => (notice.status === "resolved" ? ":white_check_mark:" : notice.severity === "critical" ? ":rotating_light:" : ":warning:");

/**
 * Sends an alert's transition to every configured channel; true when each accepted it (2xx) or
 * none is configured. A failed channel is logged and reported as false, and the state machine
 * tries again at the next minute's evaluation (alerts are notified at least once per transition).
 */
export function createAlertNotifier(deps: NotifierDeps): AlertNotifier {
  const timeoutMs = deps.timeoutMs ?? 5_000;
  return async (notice) => {
    const runbook = deps.runbookBase ? `${deps.runbookBase.replace(/\/$/, "")}/${notice.runbook}` : notice.runbook;
    const title = `[${notice.status === "open" ? notice.severity.toUpperCase() : "RESOLVED"}] ${notice.ruleId}`;
    const text = `${icon(notice)} ${title}: ${notice.summary} Runbook: ${runbook}`;
    const sends: Array<Promise<boolean>> = [];
    const post = async (channel: string, url: string, body: unknown) => {
      const res = await deps.http({ url, headers: { "content-type": "application/json", "user-agent": "rag-prompt-library-monitoring" }, body: JSON.stringify(body), timeoutMs });
      const ok = res.kind === "response" && res.status >= 200 && res.status < 300;
      if (!ok) logger.warn("alert_notify_failed", { channel, ruleId: notice.ruleId, status: notice.status, outcome: res.kind === "response" ? res.status : res.reason });
      return ok;
    };
    const slack = deps.slackUrl();
    if (slack) sends.push(post("slack", slack, { text }));
    const email = deps.emailUrl();
    if (email) sends.push(post("email", email, { subject: title, text, ruleId: notice.ruleId, status: notice.status, severity: notice.severity, runbook }));
    const results = await Promise.all(sends);
    return results.every(Boolean);
  };
}
