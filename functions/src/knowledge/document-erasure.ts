import type { SubjectRecordSpec } from "../lib/bounded-pass";
import { queryShape } from "../lib/firestore-queries";
import { DOCUMENTS } from "./knowledge-records";

/** Documents belong to the workspace: on erasure their uploader's id is replaced, the content stays. */
export const DOCUMENT_SUBJECT_RECORDS: SubjectRecordSpec[] = [
  { collection: DOCUMENTS, group: true, field: "createdBy", shape: queryShape({ name: "knowledge.documentsByCreator", collectionGroup: DOCUMENTS, scope: "COLLECTION_GROUP", equality: ["createdBy"], orderBy: [["__name__", "asc"]] }), rule: "anonymise" },
];
