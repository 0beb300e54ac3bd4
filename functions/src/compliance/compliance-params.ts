import { defineBoolean } from "firebase-functions/params";

/** Deploy-time settings of the compliance domain. */
export const complianceParams = {
  purgeEnabled: defineBoolean("RETENTION_PURGE_ENABLED", {
    default: true,
    description:
      "Run the hourly retention purge (docs/compliance.md). The local test stack sets false: tests date records in the past, and a purge firing mid-run would delete them.",
  }),
};
