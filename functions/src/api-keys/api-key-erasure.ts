import type { SubjectRecordSpec } from "../lib/bounded-pass";
import { queryShape } from "../lib/firestore-queries";
import { API_KEYS } from "./api-key-records";

/** A key acts for its creator: on erasure the creator's keys are deleted (they would be refused anyway). */
export const API_KEY_SUBJECT_RECORDS: SubjectRecordSpec[] = [
  { collection: API_KEYS, group: false, field: "createdBy", shape: queryShape({ name: "apiKeys.byCreator", collectionGroup: API_KEYS, equality: ["createdBy"], orderBy: [["__name__", "asc"]] }), rule: "delete" },
];
