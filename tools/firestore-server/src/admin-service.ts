/**
 * gRPC handlers of the admin API this server implements: ExportDocuments and ImportDocuments
 * (google.firestore.admin.v1.FirestoreAdmin) and the long-running operations they return
 * (google.longrunning.Operations), so `v1.FirestoreAdminClient` and its `operation.promise()`
 * work unchanged. Every other admin method answers UNIMPLEMENTED (grpc-js's default).
 */
import type * as grpc from "@grpc/grpc-js";
import { toStatus } from "./errors";
import type { AdminOperations, ExportRequest, ImportRequest } from "./export-import";

function unary<Req>(fn: (req: Req) => unknown): grpc.handleUnaryCall<Req, unknown> {
  return (call, callback) => {
    Promise.resolve()
      .then(() => fn(call.request))
      .then(
        (res) => callback(null, res),
        (err: unknown) => callback(toStatus(err)),
      );
  };
}

export function createAdminHandlers(ops: AdminOperations): grpc.UntypedServiceImplementation {
  return {
    ExportDocuments: unary((req: ExportRequest) => ops.exportDocuments(req)),
    ImportDocuments: unary((req: ImportRequest) => ops.importDocuments(req)),
  };
}

export function createOperationsHandlers(ops: AdminOperations): grpc.UntypedServiceImplementation {
  return {
    GetOperation: unary((req: { name?: string }) => ops.getOperation(req.name ?? "")),
    ListOperations: unary((req: { name?: string }) => ops.listOperations(req.name ?? "")),
    CancelOperation: unary((req: { name?: string }) => ops.cancelOperation(req.name ?? "")),
    DeleteOperation: unary((req: { name?: string }) => ops.deleteOperation(req.name ?? "")),
  };
}
