export { createSecretReader, CURRENT, PREVIOUS, type SecretReader, type SecretReaderOptions } from "./secret-reader";
export { secretManagerSource, localFileSource, layeredSource, SecretAccessError, LOCAL_VERSION, type SecretSource, type SecretValue } from "./secret-source";
export { noAudit, type SecretAuditEntry, type SecretAuditRecorder } from "./secret-audit";
export { createKeyRing, staticKeyRing, type KeyRing, type VersionedKey } from "./key-ring";
