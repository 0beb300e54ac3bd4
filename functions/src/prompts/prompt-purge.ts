import { Timestamp, type DocumentReference, type Firestore, type WriteBatch } from "firebase-admin/firestore";
import { expiredDocuments, type PassSource, type SubjectRecordSpec } from "../lib/bounded-pass";
import { queryShape } from "../lib/firestore-queries";
import { LABEL_EVENTS } from "./prompt-records";

/** The prompt domain's retention (label history is the audit log) and erasure entry points. */
export const PROMPT_PURGE_QUERIES = {
  labelEventsBefore: queryShape({ name: "prompts.labelEventsBefore", collectionGroup: LABEL_EVENTS, scope: "COLLECTION_GROUP", range: "at", orderBy: [["at", "asc"], ["__name__", "asc"]] }),
  promptsByCreator: queryShape({ name: "prompts.byCreator", collectionGroup: "prompts", scope: "COLLECTION_GROUP", equality: ["createdBy"], orderBy: [["__name__", "asc"]] }),
  versionsByCreator: queryShape({ name: "prompts.versionsByCreator", collectionGroup: "versions", scope: "COLLECTION_GROUP", equality: ["createdBy"], orderBy: [["__name__", "asc"]] }),
  labelEventsByActor: queryShape({ name: "prompts.labelEventsByActor", collectionGroup: LABEL_EVENTS, scope: "COLLECTION_GROUP", equality: ["actorUid"], orderBy: [["__name__", "asc"]] }),
};

export function expiredLabelEvents(db: Pick<Firestore, "collectionGroup" | "collection" | "doc">, cutoff: number, onDelete: (batch: WriteBatch, ref: DocumentReference) => void): PassSource {
  return expiredDocuments(db, { collection: LABEL_EVENTS, group: true, field: "at", before: Timestamp.fromMillis(cutoff), shape: PROMPT_PURGE_QUERIES.labelEventsBefore }, onDelete);
}

/** Prompts, versions and label history belong to the workspace: their author's id is replaced, the content stays. */
export const PROMPT_SUBJECT_RECORDS: SubjectRecordSpec[] = [
  { collection: "prompts", group: true, field: "createdBy", shape: PROMPT_PURGE_QUERIES.promptsByCreator, rule: "anonymise" },
  { collection: "versions", group: true, field: "createdBy", shape: PROMPT_PURGE_QUERIES.versionsByCreator, rule: "anonymise" },
  { collection: LABEL_EVENTS, group: true, field: "actorUid", shape: PROMPT_PURGE_QUERIES.labelEventsByActor, rule: "anonymise" },
];
