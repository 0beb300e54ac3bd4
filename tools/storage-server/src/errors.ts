/**
 * Errors in the two shapes GCS answers with: the JSON API envelope
 * (`{ error: { code, message, errors: [{ reason, message, domain }] } }`) and the XML API
 * `<Error><Code>..</Code><Message>..</Message></Error>` used for signed-URL (XML path) requests.
 */
import type { ServerResponse } from "node:http";

export type Reason = "notFound" | "conditionNotMet" | "invalid" | "conflict" | "required" | "badRequest" | "forbidden" | "notImplemented" | "rangeNotSatisfiable";

export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: Reason,
    message: string,
  ) {
    super(message);
  }
}

export const notFound = (what: string): ApiError => new ApiError(404, "notFound", `No such ${what}.`);
export const invalid = (message: string): ApiError => new ApiError(400, "invalid", message);
export const required = (field: string): ApiError => new ApiError(400, "required", `Required field '${field}' is missing.`);
export const conflict = (message: string): ApiError => new ApiError(409, "conflict", message);
export const conditionNotMet = (): ApiError =>
  new ApiError(412, "conditionNotMet", "At least one of the pre-conditions you specified did not hold.");

export function sendJsonError(res: ServerResponse, err: ApiError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = {
    error: { code: err.code, message: err.message, errors: [{ message: err.message, domain: "global", reason: err.reason }] },
  };
  res.writeHead(err.code, { "content-type": "application/json; charset=UTF-8" }).end(JSON.stringify(body));
}

/** XML API error (signed URLs). `code` is the XML error code such as `SignatureDoesNotMatch`. */
export class XmlError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: string,
  ) {
    super(message);
  }
}

const escapeXml = (s: string): string => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

export function sendXmlError(res: ServerResponse, err: XmlError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const details = err.details ? `<Details>${escapeXml(err.details)}</Details>` : "";
  const body = `<?xml version='1.0' encoding='UTF-8'?><Error><Code>${err.code}</Code><Message>${escapeXml(err.message)}</Message>${details}</Error>`;
  res.writeHead(err.status, { "content-type": "application/xml; charset=UTF-8" }).end(body);
}
